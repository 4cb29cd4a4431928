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

/** The latency stage: a table of every part of the space, measured in a task or imported, never half-written. */
class LatencyStageTest {
    private static SparkSession spark;

    @TempDir
    Path temp;

    @BeforeAll
    static void start() {
        spark = LocalSpark.session();
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
        Path run = temp.resolve("measured");
        StageResult result = StageRunner.run(new LatencyStage(), settings(run), spark, false);
        assertEquals(12, result.manifest.path("parts").asInt(), "2 widths x (mha, ffn, sep3, embeddings, head) + 2 projections");
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
        Path run = temp.resolve("small");
        StageRunner.run(new LatencyStage(), settings(run), spark, false);
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
        assertEquals(12 + 3, result.manifest.path("parts").asInt(), "the space's 12 parts + embeddings@16 + projections to 32 and 64");
        LatencyTable t = table(run);
        assertTrue(t.parts().containsKey("projection@16->32") && t.parts().containsKey("projection@16->64"), t.parts().keySet().toString());
        Architecture a = Architecture.parse("32:mha,sep3 | 64:ffn,id");
        assertEquals(t.predictMs(a) - t.parts().get("embeddings@32").medianMs + t.parts().get("embeddings@16").medianMs
                + t.parts().get("projection@16->32").medianMs, t.predictMs(a, 16), 1e-9);
    }
}
