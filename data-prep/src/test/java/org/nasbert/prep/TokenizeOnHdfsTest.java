package org.nasbert.prep;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nasbert.conf.Settings;
import org.nasbert.io.Json;
import org.nasbert.stage.StageResult;
import org.nasbert.stage.StageRunner;
import org.nasbert.testing.LocalSpark;
import org.nasbert.testing.MiniHdfs;
import org.nasbert.testing.TestData;

import java.io.File;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The tokenize stage reading its corpus from, and writing its run directory to, a real HDFS. */
class TokenizeOnHdfsTest {
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
    void readsAndWritesHdfsPaths() throws Exception {
        for (String name : new String[]{"chapter-001.txt", "chapter-002.txt", "chapter-003.txt"}) {
            hdfs.copyFromLocalFile(new Path(new File(TestData.mobyDick(), name).getAbsolutePath()),
                    new Path("/corpus/plain/" + name));
        }
        try (OutputStream out = new GZIPOutputStream(hdfs.create(new Path("/corpus/gz/chapter-004.txt.gz")))) {
            out.write(Files.readAllBytes(new File(TestData.mobyDick(), "chapter-004.txt").toPath()));
        }
        SparkSession spark = LocalSpark.session();
        Settings settings = Settings.defaults()
                .with("run.dir", uri + "/runs/r1", "test")
                .with("tokenize.input", uri + "/corpus/plain," + uri + "/corpus/gz/*.gz", "test");

        StageResult result = StageRunner.run(new TokenizeStage(), settings, spark, false);

        assertTrue(result.output.toString().startsWith("hdfs://"), result.output.toString());
        assertTrue(hdfs.exists(new Path("/runs/r1/corpus/_SUCCESS")));
        JsonNode manifest;
        try (InputStream in = hdfs.open(new Path("/runs/r1/corpus/manifest.json"))) {
            manifest = Json.MAPPER.readTree(in);
        }
        assertEquals(4, manifest.path("counts").path("files").asInt());
        assertEquals(4, manifest.path("counts").path("documents").asInt());
        long sequences = manifest.path("counts").path("sequences").asLong();
        assertTrue(sequences > 30, "sequences: " + sequences);
        assertEquals(sequences, spark.read().parquet(uri + "/runs/r1/corpus/data").count());
        assertFalse(hdfs.globStatus(new Path("/runs/r1/_tmp-*")).length > 0, "no temporary directory left");

        StageResult again = StageRunner.run(new TokenizeStage(), settings, spark, false);
        assertTrue(again.skipped);
    }
}
