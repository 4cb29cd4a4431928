package org.nasbert.jobs.teacher;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nasbert.conf.Settings;
import org.nasbert.prep.TokenizeStage;
import org.nasbert.stage.StageResult;
import org.nasbert.stage.StageRunner;
import org.nasbert.teacher.HuggingFaceExport;
import org.nasbert.teacher.TeacherCheckpoint;
import org.nasbert.teacher.checkpoint.WeightTensor;
import org.nasbert.testing.LocalSpark;
import org.nasbert.testing.MiniHdfs;
import org.nasbert.testing.TestData;

import java.io.File;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A teacher kept on HDFS as a Hugging Face directory, and the teacher stage with its run directory on HDFS. */
class TeacherOnHdfsTest {
    private static MiniHdfs cluster;
    private static FileSystem hdfs;
    private static String uri;

    @BeforeAll
    static void startHdfs() throws Exception {
        cluster = new MiniHdfs();
        hdfs = cluster.fileSystem();
        uri = cluster.uri();
    }

    @AfterAll
    static void stopHdfs() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void readsTheTeacherFromHdfsAndWritesItsStatesThere() throws Exception {
        SparkSession spark = LocalSpark.session();
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        TeacherCheckpoint original = TeacherCheckpoint.open(TestData.MINILM_MODEL, conf);
        HuggingFaceExport.write(original.weights(), TestData.minilmVocabulary(), new Path(uri + "/models/minilm"), conf);

        TeacherCheckpoint fromHdfs = TeacherCheckpoint.open(uri + "/models/minilm", conf);
        assertEquals(TeacherCheckpoint.Format.HUGGING_FACE, fromHdfs.format());
        List<WeightTensor> a = original.weights().all();
        List<WeightTensor> b = fromHdfs.weights().all();
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(a.get(i).data(), b.get(i).data(), 0f, a.get(i).name());
        }
        assertEquals(uri + "/models/minilm/vocab.txt", fromHdfs.vocabulary());

        hdfs.copyFromLocalFile(new Path(new File(TestData.mobyDick(), "chapter-001.txt").getAbsolutePath()), new Path("/corpus/c1.txt"));
        hdfs.copyFromLocalFile(new Path(new File(TestData.mobyDick(), "chapter-002.txt").getAbsolutePath()), new Path("/corpus/c2.txt"));
        Settings settings = Settings.defaults()
                .with("run.dir", uri + "/runs/t1", "test")
                .with("tokenize.input", uri + "/corpus", "test")
                .with("teacher.model", uri + "/models/minilm", "test")
                .with("teacher.sequences", "0", "test").with("teacher.states", "materialize", "test");
        StageRunner.run(new TokenizeStage(), settings, spark, false);
        StageResult result = StageRunner.run(new TeacherStage(), settings, spark, false);

        assertTrue(hdfs.exists(new Path("/runs/t1/teacher/_SUCCESS")));
        assertEquals("hugging_face", result.manifest.path("teacher").path("format").asText());
        long corpus = result.manifest.path("counts").path("corpus_sequences").asLong();
        assertEquals(corpus, result.manifest.path("counts").path("sequences").asLong(), "teacher.sequences = 0 takes all");
        assertEquals(corpus, spark.read().parquet(uri + "/runs/t1/teacher/data").count());
    }

    /**
     * A run directory under an HDFS space quota: materialised states larger than what the quota has left are refused
     * before any work, naming the quota's directory (the quota is set after tokenize, just above what the corpus uses).
     */
    @Test
    void statesOverTheSpaceQuotaAreRefusedBeforeAnyWork() throws Exception {
        SparkSession spark = LocalSpark.session();
        hdfs.copyFromLocalFile(new Path(new File(TestData.mobyDick(), "chapter-003.txt").getAbsolutePath()), new Path("/quota-corpus/c3.txt"));
        Settings settings = Settings.defaults()
                .with("run.dir", uri + "/projects/small/run", "test")
                .with("tokenize.input", uri + "/quota-corpus", "test")
                .with("teacher.sequences", "0", "test").with("teacher.states", "materialize", "test");
        StageRunner.run(new TokenizeStage(), settings, spark, false);
        Path project = new Path("/projects/small");
        long used = hdfs.getContentSummary(project).getSpaceConsumed();
        ((org.apache.hadoop.hdfs.DistributedFileSystem) hdfs).setQuota(project,
                org.apache.hadoop.hdfs.protocol.HdfsConstants.QUOTA_DONT_SET, used + (64 << 10));

        org.nasbert.NasbertException e = org.junit.jupiter.api.Assertions.assertThrows(org.nasbert.NasbertException.class,
                () -> StageRunner.run(new TeacherStage(), settings, spark, false));
        assertTrue(e.getMessage().startsWith("teacher: materialised states would take about ")
                && e.getMessage().contains("but the space quota of /projects/small has 0.0 GB left")
                && e.getMessage().contains("teacher.states = on-the-fly"), e.getMessage());
        assertTrue(!hdfs.exists(new Path("/projects/small/run/teacher")), "nothing is left where a later stage could read it");
    }
}
