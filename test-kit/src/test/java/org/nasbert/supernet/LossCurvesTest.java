package org.nasbert.supernet;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.nasbert.engine.BigDl;
import org.nasbert.testing.LocalSpark;
import org.nasbert.testing.MiniHdfs;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Loss curves on HDFS: written, read back, and the JVM's shared HDFS client still open afterwards. */
class LossCurvesTest {
    @Test
    void curvesOnHdfsAreReadBackAndLeaveTheSharedFileSystemOpen() throws Exception {
        BigDl.init(LocalSpark.session().sparkContext()); // BigDL's summary writers run on its engine
        try (MiniHdfs hdfs = new MiniHdfs()) {
            Configuration conf = hdfs.fileSystem().getConf();
            Path dir = new Path(hdfs.uri() + "/run/_checkpoints-supernet/tensorboard");
            FileSystem shared = dir.getFileSystem(conf);
            try (LossCurves curves = new LossCurves(dir, 2, conf)) {
                curves.add(0, 0.5, 0);
                curves.add(0, 0.25, 1);
                curves.add(1, 0.75, 0);
            }
            // BigDL's writer closes the FileSystem it writes through: had it been this one, the next call would fail
            // with "Filesystem closed", as train-blocks did at its end on HDFS
            assertTrue(shared.exists(dir), "the shared HDFS client still works after the curves are closed");
            List<double[]> block0 = LossCurves.read(dir, 0, conf);
            assertEquals(2, block0.size());
            assertArrayEquals(new double[]{0, 0.5}, block0.get(0), 1e-6);
            assertArrayEquals(new double[]{1, 0.25}, block0.get(1), 1e-6);
            assertEquals(1, LossCurves.read(dir, 1, conf).size());
        }
    }
}
