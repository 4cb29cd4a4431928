package org.nasbert.jobs.latency;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nasbert.NasbertException;
import org.nasbert.conf.Settings;
import org.nasbert.latency.LatencyTable;
import org.nasbert.space.Architecture;
import org.nasbert.stage.StageResult;
import org.nasbert.stage.StageRunner;
import org.nasbert.testing.LocalSpark;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The latency stage: a table of every part of the space, measured in a task or imported, never half-written. Measuring
 * takes seconds of timed runs whatever the space's size, so the tables the tests only read are measured once here.
 */
class LatencyStageTest {
    private static SparkSession spark;
    /** The settings' table (ONNX Runtime, one thread), measured once. */
    private static Path ortRun;
    private static StageResult ortMeasured;
    /** The same space timed in BigDL, measured once. */
    private static Path bigdlRun;

    @TempDir
    static Path shared;

    @TempDir
    Path temp;

    @BeforeAll
    static void start() throws Exception {
        spark = LocalSpark.session();
        ortRun = shared.resolve("ort");
        ortMeasured = StageRunner.run(new LatencyStage(), settings(ortRun), spark, false);
        bigdlRun = shared.resolve("bigdl");
        StageRunner.run(new LatencyStage(), settings(bigdlRun, "latency.engine", "bigdl"), spark, false);
    }

    private static Settings settings(Path run, String... overrides) {
        Settings s = Settings.defaults().with("run.dir", run.toString(), "test")
                .with("supernet.hidden-sizes", "32,64", "test").with("supernet.kernels", "3", "test")
                .with("latency.sequence-length", "16", "test").with("latency.runs", "5", "test");
        for (int i = 0; i < overrides.length; i += 2) {
            s = s.with(overrides[i], overrides[i + 1], "test");
        }
        return s;
    }

    private static LatencyTable table(Path run) throws Exception {
        return LatencyTable.fromJson(new String(Files.readAllBytes(run.resolve("latency/table.json")), StandardCharsets.UTF_8),
                "table.json");
    }

    @Test
    void measuresEveryPartOfTheSpaceOnAnExecutorAndImportsItElsewhere() throws Exception {
        Path run = ortRun;
        StageResult result = ortMeasured;
        assertEquals(13, result.manifest.path("parts").asInt(), "2 widths x (mha, ffn, sep3, embeddings, head) + 2 projections + run");
        assertEquals("measured", result.manifest.path("source").asText());
        assertEquals("milliseconds", result.manifest.path("units").asText());
        LatencyTable measured = table(run);
        assertEquals("16", measured.conditions().get("sequence_length"));
        assertTrue(measured.conditions().containsKey("cpu") && measured.conditions().containsKey("host"));
        assertTrue(measured.predictMs(Architecture.parse("32:mha,sep3 | 64:ffn,id")) > 0);

        Path other = temp.resolve("imported");
        Path file = run.resolve("latency/table.json");
        StageResult imported = StageRunner.run(new LatencyStage(), settings(other, "latency.import", file.toString()), spark, false);
        assertEquals(file.toString(), imported.manifest.path("source").asText());
        assertEquals(measured.toJson(), table(other).toJson(), "an imported table is the table");
    }

    @Test
    void aTableLackingPartsOfTheSpaceIsRefusedAndNothingIsWritten() throws Exception {
        Path run = ortRun;
        Path other = temp.resolve("wider");
        Settings wider = settings(other, "supernet.kernels", "3,7", "latency.import", run.resolve("latency/table.json").toString());
        NasbertException e = assertThrows(NasbertException.class, () -> StageRunner.run(new LatencyStage(), wider, spark, false));
        assertTrue(e.getMessage().contains("sep7@32") && e.getMessage().contains("lacks 2 parts"), e.getMessage());
        assertFalse(Files.exists(other.resolve("latency")), "nothing half-written");

        Path narrow = temp.resolve("narrow");
        Settings embeddings16 = settings(narrow, "search.embedding-size", "16", "latency.import", run.resolve("latency/table.json").toString());
        e = assertThrows(NasbertException.class, () -> StageRunner.run(new LatencyStage(), embeddings16, spark, false));
        assertTrue(e.getMessage().contains("embeddings@16") && e.getMessage().contains("search.embedding-size"), e.getMessage());
    }

    @Test
    void anEmbeddingSizeOutsideTheSpaceIsTimedWithItsProjectionToEveryWidth() throws Exception {
        Path run = temp.resolve("embeddings16");
        StageResult result = StageRunner.run(new LatencyStage(), settings(run, "search.embedding-size", "16"), spark, false);
        assertEquals(13 + 3, result.manifest.path("parts").asInt(), "the space's 13 parts + embeddings@16 + projections to 32 and 64");
        LatencyTable t = table(run);
        assertTrue(t.parts().containsKey("projection@16->32") && t.parts().containsKey("projection@16->64"), t.parts().keySet().toString());
        Architecture a = Architecture.parse("32:mha,sep3 | 64:ffn,id");
        // the sum of parts is scaled by the table's calibration (whole students over their parts)
        assertEquals(t.predictMs(a) + t.calibration().factor * (-t.parts().get("embeddings@32").medianMs
                + t.parts().get("embeddings@16").medianMs + t.parts().get("projection@16->32").medianMs), t.predictMs(a, 16), 1e-9);
    }

    @Test
    void theEngineIsASettingAndTheTableSaysWhichTimedIt() throws Exception {
        Path ort = ortRun; // latency.engine's default
        LatencyTable t = table(ort);
        assertEquals("onnxruntime", t.engine());
        assertEquals("1.20.0", t.conditions().get("engine_version"));
        assertTrue(t.conditions().get("date").startsWith("20"), t.conditions().toString());
        // the engine's cost of a run is paid once per student: the prediction is the parts plus one run
        Architecture a = Architecture.parse("32:mha,sep3 | 64:ffn,id");
        double parts = t.median("embeddings@32") + t.median("mha@32") + t.median("sep3@32") + t.median("projection@32->64")
                + t.median("ffn@64") + t.median("head@64");
        assertEquals(t.calibration().factor * parts + t.median("run"), t.predictMs(a), 1e-9);
        // calibrated on whole students: a factor of their whole times over their sums, near 1 (0.5-2 on any machine)
        assertEquals(8, t.calibration().ratios.length);
        assertTrue(t.calibration().factor > 0.5 && t.calibration().factor < 2, "" + t.calibration().factor);
        // what the probe needs to measure the same table elsewhere
        String space = new String(Files.readAllBytes(ort.resolve("latency/space.json")), StandardCharsets.UTF_8);
        org.nasbert.latency.TableSpec spec = org.nasbert.latency.TableSpec.fromJson(space, "space.json");
        assertEquals("[32, 64]", java.util.Arrays.toString(spec.space.hiddenSizes()));
        assertEquals(16, spec.sequenceLength);
        assertEquals("onnxruntime", spec.engine);

        Path bigdl = bigdlRun;
        assertEquals(12, org.nasbert.io.Json.MAPPER.readTree(bigdl.resolve("latency/manifest.json").toFile()).path("parts").asInt(),
                "no run part: BigDL's modules are called directly");
        assertEquals("bigdl", table(bigdl).engine());
        assertTrue(table(bigdl).conditions().containsKey("mkl_code_path"));
    }

    @Test
    void anImportedTableMustBeOfTheSettingsEngineAndConditions() throws Exception {
        Path file = bigdlRun.resolve("latency/table.json"); // one thread
        Path other = temp.resolve("two-threads");
        Settings two = settings(other, "latency.import", file.toString(), "latency.threads", "2");
        NasbertException e = assertThrows(NasbertException.class, () -> StageRunner.run(new LatencyStage(), two, spark, false));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("engine bigdl, expected onnxruntime")
                && e.getMessage().contains("threads 1, expected 2"), e.getMessage());
        assertFalse(Files.exists(other.resolve("latency")), "nothing half-written");
    }

    @Test
    void moreDevicesTablesAreKeptUnderTheirNamesAndAnUnknownOneIsRefused() throws Exception {
        Path edgeRun = temp.resolve("edge-source");
        StageRunner.run(new LatencyStage(), settings(edgeRun, "latency.threads", "2"), spark, false);
        Path edgeFile = edgeRun.resolve("latency/table.json");
        Path run = temp.resolve("devices");
        // the run's own table imported (measuring it again would only take time): the devices come out the same
        StageResult result = StageRunner.run(new LatencyStage(), settings(run, "latency.tables", "edge=" + edgeFile,
                "latency.import", ortRun.resolve("latency/table.json").toString()), spark, false);
        java.util.List<String> devices = new java.util.ArrayList<>();
        result.manifest.path("devices").fieldNames().forEachRemaining(devices::add);
        assertEquals(java.util.Arrays.asList("default", "edge"), devices);
        assertEquals("2", result.manifest.path("devices").path("edge").path("threads").asText());
        assertEquals(table(edgeRun).toJson(), new String(Files.readAllBytes(run.resolve("latency/tables/edge.json")), StandardCharsets.UTF_8));

        // a device named as the run's own table: that table is the run's, nothing is measured
        Path own = temp.resolve("own-is-edge");
        StageResult r = StageRunner.run(new LatencyStage(), settings(own, "latency.device", "edge", "latency.threads", "2",
                "latency.tables", "edge=" + edgeFile), spark, false);
        assertEquals(edgeFile.toString(), r.manifest.path("source").asText());

        Settings noFile = settings(temp.resolve("x"), "latency.tables", "edge");
        NasbertException bad = assertThrows(NasbertException.class, () -> StageRunner.run(new LatencyStage(), noFile, spark, false));
        assertTrue(bad.getMessage().contains("latency.tables") && bad.getMessage().contains("name=<file>"), bad.getMessage());
    }
}
