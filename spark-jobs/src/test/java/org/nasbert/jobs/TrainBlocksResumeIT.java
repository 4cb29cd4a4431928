package org.nasbert.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nasbert.io.Json;
import org.nasbert.testing.TestData;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nasbert.jobs.NasbertProcess.with;

/**
 * The pipeline killed (SIGKILL of the driver) during train-blocks after its first checkpoints, then rerun: the finished
 * stages are skipped, train-blocks resumes from its newest checkpoint, and every later stage runs to the report.
 */
class TrainBlocksResumeIT {
    private static final String[] SMALL = {"--hidden-sizes", "64", "--kernels", "3", "--layers-per-block", "2",
            "--batch-size", "8", "--steps", "150", "--warmup-steps", "10", "--checkpoint-every", "10", "--partitions", "2",
            "--eval-paths", "4", "--learning-rate", "0.002", "--steps-per-epoch", "10", "--warmup-epochs", "1", "--bins", "2",
            "--keep", "2", "--sample", "4", "--eval-sequences", "8"};

    @TempDir
    Path temp;

    private NasbertProcess start(String... args) throws Exception {
        return NasbertProcess.start(temp, java.util.Collections.singletonMap("NASBERT_DRIVER_MEMORY", "1500m"), args);
    }

    private String run(String... args) throws Exception {
        return start(args).finish(10);
    }

    /** SMALL as settings, for the pipeline (where a flag such as --batch-size would be ambiguous between stages). */
    private static String[] smallAsSettings(Path table, Path task) {
        String[] keys = {"supernet.hidden-sizes=64", "supernet.kernels=3", "supernet.layers-per-block=2", "supernet.batch-size=8",
                "supernet.steps=150", "supernet.warmup-steps=10", "supernet.checkpoint-every=10", "supernet.partitions=2",
                "supernet.eval-paths=4", "supernet.learning-rate=0.002", "supernet.steps-per-epoch=10", "prune.warmup-epochs=1",
                "prune.bins=2", "prune.keep=2", "prune.sample=4", "prune.eval-sequences=8",
                "teacher.sequences=96", "teacher.states=materialize", "teacher.held-out=0.2", "latency.import=" + table,
                "search.constraint=params=3M", "search.top=2", "search.eval-sequences=8",
                "distill.steps=4", "distill.batch-size=4", "distill.eval-sequences=8",
                "finetune.task=" + task, "finetune.epochs=1", "finetune.teacher-layers=1", "finetune.batch-size=16"};
        List<String> args = new ArrayList<>();
        for (String k : keys) {
            args.add("--set");
            args.add(k);
        }
        return args.toArray(new String[0]);
    }

    @Test
    void aPipelineKilledDuringTrainBlocksResumesWithoutRedoingFinishedStages() throws Exception {
        Path run = temp.resolve("run");
        // a fixed table (latency in proportion to weights): shrinking's bins, and so its rounds, do not depend on timing noise
        Path table = FixedLatencyTable.write(temp.resolve("table.json"), new int[]{64}, new int[]{3});
        String[] pipeline = with(new String[]{"pipeline", "--run", run.toString()}, smallAsSettings(table, sentimentSample()));

        Process first = start(pipeline).process;
        Path checkpoints = run.resolve("_checkpoints-supernet");
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (!Files.exists(checkpoints.resolve("step-00000019/_SUCCESS")) && first.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertTrue(first.isAlive(), "the first run was still training when its second checkpoint appeared");
        first.destroyForcibly().waitFor(); // the driver (local mode: the launcher's JVM) dies mid-stage
        assertFalse(Files.exists(run.resolve("supernet/_SUCCESS")), "a killed run leaves no finished output");

        String log = run(pipeline);
        for (String stage : new String[]{"tokenize", "teacher", "latency"}) {
            assertTrue(log.matches("(?s).*" + stage + ": \\S*/run/" + stageOutput(stage) + " is already finished; skipping.*"),
                    stage + " is not redone:\n" + log);
        }
        assertTrue(log.contains("train-blocks: resumed from"), log);
        JsonNode manifest = Json.MAPPER.readTree(run.resolve("supernet/manifest.json").toFile());
        long resumed = manifest.path("resumed_from_step").asLong();
        assertTrue(resumed >= 19 && resumed < 149, "resumed from step " + resumed);
        for (JsonNode block : manifest.path("evaluation")) {
            assertTrue(block.path("mean_loss").asDouble() < 1.0, block.toString());
        }
        assertTrue(manifest.path("shrinking").path("rounds").asInt() >= 2, manifest.path("shrinking").toString());
        // every stage finished, nothing half-written left beside the outputs
        for (String output : new String[]{"corpus", "teacher", "latency", "supernet", "search", "students", "finetune", "evaluate",
                "export", "report"}) {
            assertTrue(Files.exists(run.resolve(output).resolve("_SUCCESS")), output + " is finished");
        }
        try (java.util.stream.Stream<Path> left = Files.list(run)) {
            List<String> temporary = new ArrayList<>();
            left.filter(f -> f.getFileName().toString().startsWith("_tmp-") || f.getFileName().toString().startsWith("_checkpoints"))
                    .forEach(f -> temporary.add(f.getFileName().toString()));
            assertEquals(Collections.emptyList(), temporary, "temporary outputs and checkpoints are removed");
        }

        // the same training uninterrupted, on a copy of the same inputs: shrinking after the resume (rounds replayed
        // from their records, later rounds scored afresh) keeps exactly the same candidates
        Path fresh = temp.resolve("fresh");
        for (String output : new String[]{"corpus", "teacher", "latency"}) {
            TestFiles.copyTree(run.resolve(output), fresh.resolve(output));
        }
        run(with(new String[]{"train-blocks", "--run", fresh.toString()}, SMALL));
        assertEquals(candidates(fresh), candidates(run));
    }

    private static String stageOutput(String stage) {
        return "tokenize".equals(stage) ? "corpus" : stage;
    }

    /** Every tenth training and fifth dev sentence of data/sentiment. */
    private Path sentimentSample() throws Exception {
        Path task = temp.resolve("sentiment");
        Files.createDirectories(task);
        Path shipped = TestData.projectDir().toPath().resolve("data/sentiment");
        for (String[] f : new String[][]{{"train.tsv", "10"}, {"dev.tsv", "5"}}) {
            List<String> lines = Files.readAllLines(shipped.resolve(f[0]), StandardCharsets.UTF_8);
            List<String> kept = new ArrayList<>();
            for (int i = 0; i < lines.size(); i += Integer.parseInt(f[1])) {
                kept.add(lines.get(i));
            }
            Files.write(task.resolve(f[0]), kept, StandardCharsets.UTF_8);
        }
        return task;
    }

    private static List<String> candidates(Path run) throws Exception {
        List<String> out = new ArrayList<>();
        for (JsonNode block : Json.MAPPER.readTree(run.resolve("supernet/candidates.json").toFile()).path("blocks")) {
            for (JsonNode c : block.path("candidates")) {
                out.add(block.path("block").asInt() + " " + c.path("path").asText());
            }
        }
        return out;
    }
}
