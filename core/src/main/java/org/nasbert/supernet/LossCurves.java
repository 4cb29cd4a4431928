package org.nasbert.supernet;

import com.intel.analytics.bigdl.visualization.TrainSummary;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;

/**
 * Per-block training loss as TensorBoard event files (BigDL's TrainSummary), one run per block under {@code dir}.
 * BigDL's writer closes the Hadoop FileSystem it wrote through when it closes, and that is the JVM's shared, cached
 * instance: on HDFS every later use of it in the driver then fails with "Filesystem closed". So BigDL only ever writes
 * to a local directory; for another file system (hdfs://) the event files are written to a local staging directory and
 * copied under {@code dir} on {@link #close()}.
 */
public final class LossCurves implements AutoCloseable {
    private final TrainSummary[] writers;
    private final Path dir;
    private final Configuration conf;
    /** The local directory BigDL writes to when {@code dir} is not local, else null. */
    private final File staging;

    public LossCurves(Path dir, int blocks, Configuration conf) throws IOException {
        this.dir = dir;
        this.conf = conf;
        boolean local = dir.toUri().getScheme() == null || "file".equals(dir.toUri().getScheme());
        staging = local ? null : Files.createTempDirectory("nasbert-tensorboard").toFile();
        // BigDL's event writer takes local paths without the file: scheme
        String where = local ? dir.toUri().getPath() : staging.getAbsolutePath();
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
    public void close() throws IOException {
        for (TrainSummary w : writers) {
            w.close();
        }
        if (staging != null) {
            FileSystem target = dir.getFileSystem(conf);
            upload(staging, dir, target);
            try (java.util.stream.Stream<java.nio.file.Path> files = Files.walk(staging.toPath())) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    private static void upload(File from, Path to, FileSystem target) throws IOException {
        for (File f : from.listFiles()) {
            Path into = new Path(to, f.getName());
            if (f.isDirectory()) {
                upload(f, into, target);
            } else {
                target.copyFromLocalFile(false, true, new Path(f.toURI()), into);
            }
        }
    }
}
