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

    /**
     * The curve of one block as written: (step, loss) pairs in step order, read from {@code <dir>/block-<n>/train} (empty
     * when there is none).
     */
    public static java.util.List<double[]> read(Path dir, int block, org.apache.hadoop.conf.Configuration conf) throws java.io.IOException {
        Path folder = new Path(new Path(dir, "block-" + block), "train");
        java.util.List<double[]> out = new java.util.ArrayList<>();
        org.apache.hadoop.fs.FileSystem fs = folder.getFileSystem(conf);
        if (!fs.exists(folder)) {
            return out;
        }
        for (org.apache.hadoop.fs.FileStatus file : fs.listStatus(folder, p -> p.getName().contains("tfevents"))) {
            for (scala.Tuple3<Object, Object, Object> t : com.intel.analytics.bigdl.visualization.tensorboard.FileReader$.MODULE$
                    .readScalar(file.getPath(), "Loss", fs)) {
                out.add(new double[]{((Number) t._1()).doubleValue(), ((Number) t._2()).doubleValue()});
            }
        }
        out.sort(java.util.Comparator.comparingDouble(p -> p[0]));
        return out;
    }

    @Override
    public void close() {
        for (TrainSummary w : writers) {
            w.close();
        }
    }
}
