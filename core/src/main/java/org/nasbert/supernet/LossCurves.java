package org.nasbert.supernet;

import com.intel.analytics.bigdl.visualization.TrainSummary;
import org.apache.hadoop.fs.Path;

/** Per-block training loss as TensorBoard event files (BigDL's TrainSummary), one run per block under {@code dir}. */
public final class LossCurves implements AutoCloseable {
    private final TrainSummary[] writers;

    public LossCurves(Path dir, int blocks) {
        // BigDL's event writer takes local paths without the file: scheme, and hdfs:// URIs
        String where = dir.toUri().getScheme() == null || "file".equals(dir.toUri().getScheme()) ? dir.toUri().getPath() : dir.toString();
        writers = new TrainSummary[blocks];
        for (int n = 0; n < blocks; n++) {
            writers[n] = new TrainSummary(where, "block-" + n);
        }
    }

    public void add(int block, double loss, long step) {
        writers[block].addScalar("Loss", (float) loss, step);
    }

    @Override
    public void close() {
        for (TrainSummary w : writers) {
            w.close();
        }
    }
}
