package org.nasbert.jobs.trainblocks;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nasbert.conf.Settings;
import org.nasbert.jobs.latency.LatencyStage;
import org.nasbert.jobs.teacher.TeacherStage;
import org.nasbert.prep.TokenizeStage;
import org.nasbert.stage.StageResult;
import org.nasbert.stage.StageRunner;
import org.nasbert.testing.LocalSpark;
import org.nasbert.testing.TestData;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * train-blocks with the teacher run on the fly (no stored states) sees what it sees with stored fp32 states: the
 * same training and held-out sequences, and on the held-out ones the same copy-the-input losses and the same
 * losses of the same paths at initialisation.
 */
class TrainBlocksOnTheFlyTest {
    private static SparkSession spark;

    @TempDir
    Path temp;

    @BeforeAll
    static void start() {
        spark = LocalSpark.session();
    }

    private static Settings settings(Path run, String states, String table) {
        String[][] values = {
                {"run.dir", run.toString()}, {"tokenize.input", TestData.mobyDick().toString()},
                {"teacher.sequences", "80"}, {"teacher.held-out", "0.2"}, {"teacher.states", states},
                {"teacher.precision", "fp32"}, {"supernet.blocks", "2"}, {"supernet.hidden-sizes", "32"},
                {"supernet.kernels", "3"}, {"supernet.layers-per-block", "2"}, {"supernet.steps", "2"},
                {"supernet.batch-size", "8"}, {"supernet.micro-batch", "3"}, {"supernet.eval-paths", "3"},
                {"supernet.checkpoint-every", "2"}, {"supernet.partitions", "2"}, {"latency.sequence-length", "16"},
                {"latency.runs", "3"}, {"prune.eval-sequences", "8"}, {"latency.import", table},
                {"search.top", "2"}, {"search.eval-sequences", "8"}, {"search.constraint", "params=5M"},
                {"distill.steps", "3"}, {"distill.batch-size", "4"}, {"distill.baselines", "false"},
                {"distill.eval-sequences", "8"}, {"distill.checkpoint-every", "0"}};
        Settings s = Settings.defaults();
        for (String[] kv : values) {
            s = s.with(kv[0], kv[1], "test");
        }
        return s;
    }

    private static JsonNode train(Settings settings) throws Exception {
        StageRunner.run(new TokenizeStage(), settings, spark, false);
        StageRunner.run(new TeacherStage(), settings, spark, false);
        StageRunner.run(new LatencyStage(), settings, spark, false);
        StageResult result = StageRunner.run(new TrainBlocksStage(), settings, spark, false);
        return result.manifest;
    }

    private static JsonNode distill(Settings settings) throws Exception {
        StageRunner.run(new org.nasbert.jobs.search.SearchStage(), settings, spark, false);
        return StageRunner.run(new org.nasbert.jobs.distill.DistillStage(), settings, spark, false).manifest;
    }

    @Test
    void aSupernetTooLargeForTheHeapIsRefusedBeforeAnythingIsWritten() throws Exception {
        String table = org.nasbert.jobs.FixedLatencyTable.write(temp.resolve("table.json"), new int[]{32}, new int[]{3}, 0, 16).toString();
        Path run = temp.resolve("big");
        Settings settings = settings(run, "on-the-fly", table);
        StageRunner.run(new TokenizeStage(), settings, spark, false);
        StageRunner.run(new TeacherStage(), settings, spark, false);
        StageRunner.run(new LatencyStage(), settings, spark, false);
        // 16384 wide: one MHA candidate alone holds 1.1G weights
        Settings big = settings.with("supernet.hidden-sizes", "8192,16384", "test");
        org.nasbert.NasbertException e = org.junit.jupiter.api.Assertions.assertThrows(org.nasbert.NasbertException.class,
                () -> StageRunner.run(new TrainBlocksStage(), big, spark, false));
        assertTrue(e.getMessage().startsWith("train-blocks needs about ") && e.getMessage().contains("in this JVM (local mode")
                && e.getMessage().contains("2 supernet replica(s) with gradients") && e.getMessage().contains(
                "raise NASBERT_DRIVER_MEMORY (the launcher's -Xmx) to at least "), e.getMessage());
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(run)) {
            assertEquals(java.util.Arrays.asList("corpus", "latency", "teacher"),
                    files.map(f -> f.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted()
                            .collect(java.util.stream.Collectors.toList()), "nothing written for train-blocks");
        }
        StageRunner.run(new TrainBlocksStage(), settings, spark, false); // the space that fits runs
    }

    @Test
    void onTheFlyStatesTrainOnTheSameSequencesAndScoreLikeStoredOnesInBlocksAndInDistill() throws Exception {
        // an imported table: shrinking's bins do not depend on this machine's timing noise
        String table = org.nasbert.jobs.FixedLatencyTable.write(temp.resolve("table.json"), new int[]{32}, new int[]{3}, 0, 16).toString();
        JsonNode stored = train(settings(temp.resolve("stored"), "materialize", table));
        JsonNode fly = train(settings(temp.resolve("fly"), "on-the-fly", table));
        assertEquals("stored", stored.path("teacher_states").asText());
        assertEquals("on-the-fly", fly.path("teacher_states").asText());
        assertEquals(stored.path("training_sequences").asLong(), fly.path("training_sequences").asLong());
        assertEquals(stored.path("held_out_sequences").asLong(), fly.path("held_out_sequences").asLong());
        assertTrue(fly.path("held_out_sequences").asLong() > 5, "some held-out sequences: " + fly.path("held_out_sequences"));

        // distill computes the teacher's last states in its tasks: the same student learns the same as from stored fp32 states
        JsonNode storedStudents = distill(settings(temp.resolve("stored"), "materialize", table)).path("students");
        JsonNode flyStudents = distill(settings(temp.resolve("fly"), "on-the-fly", table)).path("students");
        assertEquals(storedStudents.size(), flyStudents.size());
        assertTrue(storedStudents.size() > 0);
        for (int i = 0; i < storedStudents.size(); i++) {
            JsonNode a = storedStudents.get(i);
            JsonNode b = flyStudents.get(i);
            assertEquals(a.path("architecture").asText(), b.path("architecture").asText());
            assertEquals(a.path("held_out_loss_at_init").asDouble(), b.path("held_out_loss_at_init").asDouble(), 1e-6);
            assertEquals(a.path("held_out_loss").asDouble(), b.path("held_out_loss").asDouble(), 1e-5);
            assertTrue(Math.abs(a.path("held_out_loss").asDouble() - a.path("held_out_loss_at_init").asDouble()) > 1e-4,
                    "three steps moved the student: " + a);
        }
        // MiniLM has no masked-LM head: asking for masked-LM distillation is refused, naming the setting
        org.nasbert.NasbertException refused = org.junit.jupiter.api.Assertions.assertThrows(org.nasbert.NasbertException.class,
                () -> StageRunner.run(new org.nasbert.jobs.distill.DistillStage(), settings(temp.resolve("fly"), "on-the-fly", table)
                        .with("distill.objective", "masked-lm", "test"), spark, true));
        assertTrue(refused.getMessage().contains("distill.objective = masked-lm") && refused.getMessage().contains("no masked-LM head"),
                refused.getMessage());
        for (int n = 0; n < 2; n++) {
            JsonNode a = stored.path("evaluation").get(n);
            JsonNode b = fly.path("evaluation").get(n);
            double copy = a.path("copy_input_loss").asDouble();
            assertTrue(copy > 0.01, "block " + n + " copy loss " + copy);
            assertEquals(copy, b.path("copy_input_loss").asDouble(), 1e-5 * copy, "block " + n + " copy-the-input loss");
            for (int p = 0; p < 3; p++) {
                JsonNode pa = a.path("paths").get(p);
                JsonNode pb = b.path("paths").get(p);
                assertEquals(pa.path("path").asText(), pb.path("path").asText());
                double init = pa.path("loss_at_init").asDouble();
                assertEquals(init, pb.path("loss_at_init").asDouble(), 1e-4 * init, "block " + n + " " + pa.path("path"));
            }
        }
    }
}
