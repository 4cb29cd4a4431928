package org.nasbert.jobs.finetune;

import org.nasbert.jobs.evaluate.EvaluateStage;
import com.fasterxml.jackson.databind.JsonNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nasbert.conf.Settings;
import org.nasbert.jobs.FixedLatencyTable;
import org.nasbert.jobs.TestFiles;
import org.nasbert.jobs.latency.LatencyStage;
import org.nasbert.jobs.search.SearchStage;
import org.nasbert.jobs.distill.DistillStage;
import org.nasbert.jobs.trainblocks.TrainBlocksStage;
import org.nasbert.jobs.teacher.TeacherStage;
import org.nasbert.prep.TokenizeStage;
import org.nasbert.stage.StageRunner;
import org.nasbert.teacher.BertConfig;
import org.nasbert.teacher.HuggingFaceExport;
import org.nasbert.testing.LocalSpark;
import org.nasbert.testing.TestData;
import org.nasbert.testing.TinyBert;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nasbert.testing.Causes.messages;

/**
 * finetune failing part-way (a student's weights file unreadable, after the teacher had finished) and rerun once the file
 * is back: the finished teacher is restored from its last checkpoint, not retrained, and every model ends with the
 * losses and weights of an uninterrupted finetune of the same run.
 */
class FinetuneResumeTest {
    private static SparkSession spark;

    @TempDir
    Path temp;

    @BeforeAll
    static void start() {
        spark = LocalSpark.session();
    }

    @Test
    void aFinetuneRerunAfterAFailureResumesItsModelsAndEndsAsAnUninterruptedOne() throws Exception {
        Path run = temp.resolve("run");
        Settings settings = settings(run);
        for (org.nasbert.stage.Stage s : new org.nasbert.stage.Stage[]{new TokenizeStage(), new TeacherStage(), new LatencyStage(),
                new TrainBlocksStage(), new SearchStage(), new DistillStage()}) {
            StageRunner.run(s, settings, spark, false);
        }
        Path copy = temp.resolve("copy");
        TestFiles.copyTree(run, copy);
        JsonNode uninterrupted = StageRunner.run(new FinetuneStage(), settings(copy), spark, false).manifest;

        Path weights = firstStudentWeights(run);
        Path aside = temp.resolve("aside.safetensors");
        Files.move(weights, aside);
        Exception failure = assertThrows(Exception.class, () -> StageRunner.run(new FinetuneStage(), settings, spark, false));
        assertTrue(messages(failure).contains("model.safetensors"), "the failure names the missing file: " + messages(failure));
        assertFalse(Files.exists(run.resolve("finetune/_SUCCESS")), "no finished output after a failure");
        Path teacherCheckpoints = run.resolve(FinetuneStage.CHECKPOINTS).resolve(FinetuneStage.TEACHER);
        assertTrue(Files.isDirectory(teacherCheckpoints), "the teacher's checkpoints survive the failure");

        Files.move(aside, weights);
        // another checkpoint interval keeps the checkpoints: it does not change what they hold
        JsonNode resumed = StageRunner.run(new FinetuneStage(), settings.with("finetune.checkpoint-every", "7", "test"), spark, false)
                .manifest;

        JsonNode teacher = resumed.path("models").get(0);
        // 120 examples in batches of 16, 2 epochs: 16 steps, all done before the failure
        assertEquals(16, teacher.path("resumed_from_step").asLong(), "the teacher is restored, not retrained: " + teacher);
        assertEquals(uninterrupted.path("models").size(), resumed.path("models").size());
        for (int i = 0; i < resumed.path("models").size(); i++) {
            JsonNode a = uninterrupted.path("models").get(i);
            JsonNode b = resumed.path("models").get(i);
            assertEquals(a.path("name"), b.path("name"));
            String name = b.path("name").asText();
            // to rounding: MKL may round differently from call to call on some CPUs
            double[] expected = doubles(a.path("epoch_losses"));
            assertArrayEquals(expected, doubles(b.path("epoch_losses")), 1e-6 * expected[0], name);
            assertArrayEquals(head(copy, name), head(run, name), 1e-5f, name + "'s head");
        }
        assertFalse(Files.exists(run.resolve(FinetuneStage.CHECKPOINTS)), "checkpoints are removed once every model is written");

        severalSeedsFineTuneEveryStudentPerSeedAndEvaluatePoolsThem(copy, uninterrupted);
    }

    /**
     * finetune.seeds = 2 on the same students: seed 0 is the one-seed model itself (same losses), seed 1 another
     * fine-tuning beside it; evaluate scores the pool of both, and the pooled accuracy is the mean of the seeds' (equal sizes).
     */
    private void severalSeedsFineTuneEveryStudentPerSeedAndEvaluatePoolsThem(Path run, JsonNode oneSeed) throws Exception {
        Settings twoSeeds = settings(run).with("finetune.seeds", "2", "test");
        JsonNode tuned = StageRunner.run(new FinetuneStage(), twoSeeds, spark, true).manifest;
        assertEquals(oneSeed.path("models").size(), tuned.path("models").size(), "one entry per model, whatever the seeds");
        assertFalse(tuned.path("models").get(0).has("seeds"), "the teacher is fine-tuned once");
        for (int i = 1; i < tuned.path("models").size(); i++) {
            JsonNode m = tuned.path("models").get(i);
            String name = m.path("name").asText();
            JsonNode seeds = m.path("seeds");
            assertEquals(2, seeds.size(), name);
            assertEquals(42, seeds.get(0).path("seed").asLong());
            assertEquals(43, seeds.get(1).path("seed").asLong());
            assertEquals(name, seeds.get(0).path("dir").asText());
            assertEquals(name + "@seed1", seeds.get(1).path("dir").asText());
            double[] first = doubles(oneSeed.path("models").get(i).path("epoch_losses"));
            assertArrayEquals(first, doubles(seeds.get(0).path("epoch_losses")), 1e-6 * first[0], name + ": seed 0 is the one-seed model");
            assertFalse(java.util.Arrays.equals(head(run, name), head(run, name + "@seed1")), name + ": another seed, another head");
        }
        // evaluate's default file, dev.tsv: every 20th sentence of data/sentiment's dev.tsv, in the task directory finetune
        // recorded: today's finetune.task and teacher.model name others (a user who fine-tuned with --task X and evaluates
        // without it), and evaluate must score what finetune trained, on its task, with its teacher
        Settings today = twoSeeds.with("finetune.task", temp.resolve("another-task").toString(), "test")
                .with("teacher.model", temp.resolve("another-teacher").toString(), "test");
        JsonNode scores = StageRunner.run(new EvaluateStage(), today, spark, false).manifest;
        assertEquals(tuned.path("task").asText(), scores.path("task").asText(), "the task finetune ran on");
        assertEquals(new org.apache.hadoop.fs.Path(tuned.path("task").asText(), "dev.tsv").toString(),
                scores.path("files").get(0).path("file").asText(), "scored on that task's dev.tsv");
        for (JsonNode m : scores.path("models")) {
            if ("teacher".equals(m.path("kind").asText())) {
                assertEquals(1, m.path("seeds").asInt());
                assertFalse(m.has("seed_sd"));
                continue;
            }
            assertEquals(2, m.path("seeds").asInt(), m.toString());
            double pooled = m.path("metrics").path("dev.tsv").path("accuracy").asDouble();
            assertEquals(pooled, m.path("seed_mean").path("dev.tsv").path("accuracy").asDouble(), 1e-12, m.toString());
            assertTrue(m.path("seed_sd").path("dev.tsv").path("accuracy").asDouble() >= 0, m.toString());
            JsonNode ci = m.path("intervals").path("dev.tsv").path("accuracy");
            assertTrue(ci.path("low").asDouble() <= pooled && pooled <= ci.path("high").asDouble(), m.toString());
        }
    }

    private Settings settings(Path run) throws Exception {
        Path teacher = temp.resolve("teacher");
        if (!Files.exists(teacher)) {
            // a 2-layer BERT of width 32 over the MiniLM vocabulary, random weights
            HuggingFaceExport.write(TinyBert.withHead(new BertConfig(30522, 32, 2, 2, 64, 512, 2, 1e-12f), new Random(5), 0.2),
                    TestData.minilmVocabulary(), new org.apache.hadoop.fs.Path(teacher.toUri()), new Configuration());
        }
        String table = FixedLatencyTable.write(temp.resolve("table.json"), new int[]{32}, new int[]{3}).toString();
        String[][] values = {
                {"run.dir", run.toString()}, {"tokenize.input", TestData.mobyDick().toString()},
                {"teacher.model", teacher.toString()}, {"teacher.sequences", "64"}, {"teacher.states", "materialize"}, {"teacher.held-out", "0.2"},
                {"supernet.blocks", "2"}, {"supernet.hidden-sizes", "32"}, {"supernet.kernels", "3"},
                {"supernet.layers-per-block", "2"}, {"supernet.steps", "2"}, {"supernet.batch-size", "8"},
                {"supernet.eval-paths", "3"}, {"supernet.checkpoint-every", "2"}, {"supernet.partitions", "2"},
                {"latency.import", table}, {"prune.eval-sequences", "8"}, {"search.top", "2"}, {"search.eval-sequences", "8"},
                {"search.constraint", "params=2M"}, {"distill.objective", "hidden-states"}, {"distill.steps", "4"},
                {"distill.batch-size", "4"}, {"distill.eval-sequences", "8"}, {"distill.checkpoint-every", "0"},
                {"finetune.task", sentimentSample().toString()}, {"finetune.epochs", "2"}, {"finetune.batch-size", "16"},
                {"finetune.teacher-layers", "1"}, {"finetune.learning-rate", "0.003"}, {"finetune.checkpoint-every", "5"}};
        Settings settings = Settings.defaults();
        for (String[] kv : values) {
            settings = settings.with(kv[0], kv[1], "test");
        }
        return settings;
    }

    /** Every 20th sentence of data/sentiment's train.tsv: 120 examples. */
    private Path sentimentSample() throws Exception {
        Path task = temp.resolve("sentiment");
        if (!Files.exists(task)) {
            Files.createDirectories(task);
            List<String> lines = Files.readAllLines(TestData.projectDir().toPath().resolve("data/sentiment/train.tsv"),
                    StandardCharsets.UTF_8);
            List<String> kept = new ArrayList<>();
            for (int i = 0; i < lines.size(); i += 20) {
                kept.add(lines.get(i));
            }
            Files.write(task.resolve("train.tsv"), kept, StandardCharsets.UTF_8);
            List<String> dev = Files.readAllLines(TestData.projectDir().toPath().resolve("data/sentiment/dev.tsv"), StandardCharsets.UTF_8);
            List<String> devKept = new ArrayList<>();
            for (int i = 0; i < dev.size(); i += 20) {
                devKept.add(dev.get(i));
            }
            Files.write(task.resolve("dev.tsv"), devKept, StandardCharsets.UTF_8);
        }
        return task;
    }

    private static Path firstStudentWeights(Path run) throws Exception {
        JsonNode students = org.nasbert.io.Json.MAPPER.readTree(run.resolve("students/manifest.json").toFile()).path("students");
        return run.resolve("students").resolve(students.get(0).path("name").asText()).resolve("model.safetensors");
    }

    private static float[] head(Path run, String model) throws java.io.IOException {
        java.util.Map<String, org.nasbert.teacher.checkpoint.WeightTensor> tensors = org.nasbert.teacher.checkpoint.SafeTensors.read(
                org.apache.hadoop.fs.FileSystem.getLocal(new Configuration()), new org.apache.hadoop.fs.Path(run.resolve("finetune")
                        .resolve(model).resolve(FinetuneStage.HEAD).toUri()));
        float[] weights = tensors.get("m0.p0").data();
        float[] bias = tensors.get("m0.p1").data();
        float[] all = java.util.Arrays.copyOf(weights, weights.length + bias.length);
        System.arraycopy(bias, 0, all, weights.length, bias.length);
        return all;
    }


    private static double[] doubles(JsonNode array) {
        double[] out = new double[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asDouble();
        }
        return out;
    }
}
