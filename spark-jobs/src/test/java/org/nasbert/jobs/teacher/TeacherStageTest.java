package org.nasbert.jobs.teacher;

import com.intel.analytics.bigdl.tensor.Tensor;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nasbert.NasbertException;
import org.nasbert.conf.Settings;
import org.nasbert.nn.Tensors;
import org.nasbert.prep.TokenizeStage;
import org.nasbert.stage.StageResult;
import org.nasbert.stage.StageRunner;
import org.nasbert.teacher.BertModel;
import org.nasbert.teacher.TeacherCheckpoint;
import org.nasbert.teacher.TeacherStates;
import org.nasbert.testing.LocalSpark;
import org.nasbert.testing.TestData;
import org.nasbert.text.WordPieceVocabulary;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The teacher stage on Spark local[2]: boundary states of the MiniLM teacher for a sample of the shipped corpus. */
class TeacherStageTest {
    private static SparkSession spark;
    private static BertModel reference;

    @TempDir
    Path temp;

    @BeforeAll
    static void start() {
        spark = LocalSpark.session();
        reference = new BertModel(TeacherCheckpoint.open(TestData.MINILM_MODEL, new Configuration()).weights());
    }

    private static Settings settings(Path run, String... overrides) {
        Settings s = Settings.defaults().with("run.dir", run.toString(), "test")
                .with("tokenize.input", TestData.mobyDick().toString(), "test")
                .with("teacher.sequences", "48", "test").with("teacher.states", "materialize", "test")
                .with("supernet.blocks", "3", "test")
                .with("teacher.batch-size", "16", "test");
        for (int i = 0; i < overrides.length; i += 2) {
            s = s.with(overrides[i], overrides[i + 1], "test");
        }
        return s;
    }

    private static StageResult pipeline(Settings settings) throws Exception {
        StageRunner.run(new TokenizeStage(), settings, spark, false);
        return StageRunner.run(new TeacherStage(), settings, spark, false);
    }

    @Test
    void materialisesTheStatesAtTheBlockBoundariesAsTheTeacherComputesThemAlone() throws Exception {
        Path run = temp.resolve("run");
        StageResult result = pipeline(settings(run, "teacher.precision", "fp32"));
        assertEquals("[0,2,4,6]", result.manifest.path("boundaries").toString(), "6 layers in 3 blocks");
        List<Row> rows = spark.read().parquet(run.resolve("teacher/data").toString()).collectAsList();
        long sequences = result.manifest.path("counts").path("sequences").asLong();
        assertEquals(rows.size(), sequences);
        assertTrue(sequences > 20 && sequences < 90, "about 48 of 2,535 sequences sampled: " + sequences);
        long heldOut = rows.stream().filter(r -> r.getBoolean(r.fieldIndex("held_out"))).count();
        assertEquals(heldOut, result.manifest.path("counts").path("held_out_sequences").asLong());
        assertTrue(heldOut < sequences / 2, "held-out is about 10%: " + heldOut);

        // Recompute three sequences alone (no padding, batch of one) with the teacher on the driver.
        for (Row row : rows.subList(0, 3)) {
            int[] ids = ints(row.getList(row.fieldIndex("input_ids")));
            int[] types = ints(row.getList(row.fieldIndex("token_type_ids")));
            List<Tensor<Float>> hidden = reference.forward(new int[][]{ids}, new int[][]{types}, new int[]{ids.length}, 99, false).hidden;
            int[] boundaries = {0, 2, 4, 6};
            for (int n = 0; n < 4; n++) {
                float[] stored = TeacherStates.decode((byte[]) row.get(row.fieldIndex("y_" + n)), false);
                assertEquals(ids.length * 384, stored.length);
                Tensor<Float> expected = hidden.get(boundaries[n]);
                float max = 0;
                for (int i = 0; i < stored.length; i++) {
                    max = Math.max(max, Math.abs(stored[i] - Tensors.data(expected)[Tensors.offset(expected) + i]));
                }
                assertTrue(max < 1e-4, "boundary " + n + ": max |diff| " + max);
            }
        }

        // A rerun with the same settings is skipped; the output is whole.
        StageResult again = StageRunner.run(new TeacherStage(), settings(run, "teacher.precision", "fp32"), spark, false);
        assertTrue(again.skipped);
        assertTrue(Files.exists(run.resolve("teacher/_SUCCESS")));
    }

    @Test
    void halfPrecisionStatesAreTheFullOnesRoundedToFp16() throws Exception {
        Path full = temp.resolve("full");
        Path half = temp.resolve("half");
        pipeline(settings(full, "teacher.precision", "fp32"));
        StageResult h = pipeline(settings(half, "teacher.precision", "fp16"));
        assertEquals("fp16", h.manifest.path("precision").asText());
        Row a = spark.read().parquet(full.resolve("teacher/data").toString()).orderBy("doc_id", "index_in_doc").first();
        Row b = spark.read().parquet(half.resolve("teacher/data").toString()).orderBy("doc_id", "index_in_doc").first();
        float[] x = TeacherStates.decode((byte[]) a.get(a.fieldIndex("y_3")), false);
        float[] y = TeacherStates.decode((byte[]) b.get(b.fieldIndex("y_3")), true);
        assertEquals(x.length, y.length);
        for (int i = 0; i < x.length; i++) {
            // fp16 has an 11-bit significand: relative rounding error at most 2^-11
            assertTrue(Math.abs(x[i] - y[i]) <= Math.abs(x[i]) * 0x1p-11 + 1e-7, i + ": " + x[i] + " vs " + y[i]);
        }
        assertTrue(h.manifest.path("bytes_written").asLong() < h.manifest.path("bytes_estimated").asLong() * 1.2);
    }

    @Test
    void onTheFlyRecordsTheTeacherAndWritesNoStates() throws Exception {
        Path run = temp.resolve("fly");
        StageResult result = pipeline(settings(run, "teacher.states", "on-the-fly"));
        assertFalse(result.manifest.path("materialized").asBoolean());
        assertEquals(6, result.manifest.path("teacher").path("layers").asInt());
        assertFalse(Files.exists(run.resolve("teacher/data")));
    }

    @Test
    void statesOverTheLimitAreRefusedBeforeAnyWorkNamingOnTheFly() throws Exception {
        Path run = temp.resolve("too-big");
        Settings s = settings(run, "teacher.max-states-gb", "0.0001"); // 105 KB: less than these states
        StageRunner.run(new TokenizeStage(), s, spark, false);
        NasbertException e = assertThrows(NasbertException.class, () -> StageRunner.run(new TeacherStage(), s, spark, false));
        assertTrue(e.getMessage().startsWith("teacher: materialised states would take about ") && e.getMessage().contains(
                "over teacher.max-states-gb = 0.0001; compute them as training needs them (teacher.states = on-the-fly)"), e.getMessage());
        assertFalse(Files.exists(run.resolve("teacher")), "nothing is left where a later stage could read it");
    }

    /**
     * The memory guard, in local mode: 2 tasks each running MiniLM over 4096 sequences of up to 128 tokens (about 21 GB of
     * activations each, from the checkpoint's config before its weights are read) cannot fit this JVM: refused before any
     * work, naming the heap to raise and the setting that makes it so; the other tests' batch of 16 fits and runs.
     */
    @Test
    void aForwardPassTooLargeForTheHeapIsRefusedBeforeAnyWork() throws Exception {
        Path run = temp.resolve("too-large");
        Settings s = settings(run, "teacher.batch-size", "4096");
        StageRunner.run(new TokenizeStage(), s, spark, false);
        NasbertException e = assertThrows(NasbertException.class, () -> StageRunner.run(new TeacherStage(), s, spark, false));
        assertTrue(e.getMessage().startsWith("teacher needs about ") && e.getMessage().contains("in this JVM (local mode")
                && e.getMessage().contains("teacher.batch-size = 4096 sequences of up to 128 tokens")
                && e.getMessage().contains("raise NASBERT_DRIVER_MEMORY"), e.getMessage());
        assertFalse(Files.exists(run.resolve("teacher")), "nothing is left where a later stage could read it");
    }

    @Test
    void refusesACorpusTokenizedWithAnotherVocabulary() throws Exception {
        Path run = temp.resolve("other-vocab");
        WordPieceVocabulary minilm = TestData.minilmVocabulary();
        StringBuilder text = new StringBuilder();
        for (int id = 0; id < minilm.size(); id++) {
            text.append(id == 2000 ? "nasbertpiece" : minilm.token(id)).append('\n');
        }
        File vocab = temp.resolve("vocab.txt").toFile();
        Files.write(vocab.toPath(), text.toString().getBytes(StandardCharsets.UTF_8));
        Settings s = settings(run, "teacher.vocab", vocab.getPath());
        StageRunner.run(new TokenizeStage(), s, spark, false);
        NasbertException e = assertThrows(NasbertException.class, () -> StageRunner.run(new TeacherStage(), s, spark, false));
        assertTrue(e.getMessage().contains("vocab.txt") && e.getMessage().contains("teacher.vocab = auto"), e.getMessage());
        assertFalse(Files.exists(run.resolve("teacher")), "nothing is left where a later stage could read it");
    }

    @Test
    void refusesToRunWithoutAFinishedCorpus() {
        Path run = temp.resolve("empty");
        NasbertException e = assertThrows(NasbertException.class,
                () -> StageRunner.run(new TeacherStage(), settings(run), spark, false));
        assertTrue(e.getMessage().contains("tokenize"), e.getMessage());
    }

    private static int[] ints(List<Integer> list) {
        return list.stream().mapToInt(Integer::intValue).toArray();
    }
}
