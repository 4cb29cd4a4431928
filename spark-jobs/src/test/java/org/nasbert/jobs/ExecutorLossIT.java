package org.nasbert.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nasbert.io.Json;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An executor JVM killed (SIGKILL) in Spark's local-cluster mode, once during train-blocks and once during distill: Spark
 * replaces it and reruns the lost tasks, and each stage completes with complete outputs.
 */
class ExecutorLossIT {
    private static final String CLUSTER = "local-cluster[2,1,1280]";

    @TempDir
    Path temp;

    private NasbertProcess start(String... args) throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("NASBERT_DRIVER_MEMORY", "1500m");
        env.put("TMPDIR", temp.toString()); // the local cluster's work directory
        return NasbertProcess.start(temp, env, args);
    }

    /** Waits until {@code ready}, then kills one of the run's executor JVMs; returns its pid. */
    private static long killAnExecutorWhen(Process driver, BooleanSupplier ready) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (!ready.getAsBoolean() && driver.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertTrue(driver.isAlive(), "the stage was still running when the moment came");
        Optional<ProcessHandle> executor = driver.toHandle().descendants().filter(ExecutorLossIT::isExecutor).findFirst();
        assertTrue(executor.isPresent(), "an executor JVM to kill");
        executor.get().destroyForcibly();
        executor.get().onExit().get(30, TimeUnit.SECONDS);
        return executor.get().pid();
    }

    @Test
    void stagesCompleteWhenAnExecutorDiesDuringTrainBlocksAndDuringDistill() throws Exception {
        Path run = temp.resolve("run");
        Path table = FixedLatencyTable.write(temp.resolve("table.json"), new int[]{64}, new int[]{3});
        start("tokenize", "--run", run.toString()).finish(8);
        start("teacher", "--run", run.toString(), "--sequences", "96", "--held-out", "0.2").finish(8);
        start("latency", "--run", run.toString(), "--hidden-sizes", "64", "--kernels", "3", "--import", table.toString()).finish(8);

        NasbertProcess train = start("train-blocks", "--run", run.toString(), "--master", CLUSTER, "--hidden-sizes", "64", "--kernels", "3",
                "--layers-per-block", "2", "--batch-size", "8", "--steps", "60", "--warmup-steps", "5", "--checkpoint-every", "10",
                "--partitions", "2", "--eval-paths", "4", "--steps-per-epoch", "10", "--warmup-epochs", "1", "--bins", "2",
                "--keep", "2", "--sample", "4", "--eval-sequences", "8");
        Path supernetCheckpoint = run.resolve("_checkpoints-supernet/step-00000019/_SUCCESS");
        killAnExecutorWhen(train.process, () -> Files.exists(supernetCheckpoint));
        String trainLog = train.finish(8);
        assertTrue(trainLog.contains("Lost executor") || trainLog.contains("ExecutorLostFailure"),
                "Spark saw the executor go:\n" + trainLog);
        JsonNode supernet = Json.MAPPER.readTree(run.resolve("supernet/manifest.json").toFile());
        assertEquals(60, supernet.path("steps").asInt(), supernet.toString());
        assertTrue(Files.exists(run.resolve("supernet/_SUCCESS")) && Files.exists(run.resolve("supernet/candidates.json")));
        for (JsonNode block : supernet.path("evaluation")) {
            double loss = block.path("mean_loss").asDouble();
            assertTrue(loss > 0 && loss < block.path("mean_loss_at_init").asDouble(), "block trained: " + block);
        }

        start("search", "--run", run.toString(), "--constraint", "params=3M", "--top", "2", "--eval-sequences", "8").finish(8);
        NasbertProcess distill = start("distill", "--run", run.toString(), "--master", CLUSTER, "--steps", "60", "--batch-size", "4",
                "--eval-sequences", "8", "--checkpoint-every", "10");
        Path distillCheckpoints = run.resolve("_checkpoints-distill");
        killAnExecutorWhen(distill.process, () -> anyCheckpoint(distillCheckpoints));
        String distillLog = distill.finish(8);
        assertTrue(distillLog.contains("Lost executor") || distillLog.contains("ExecutorLostFailure"),
                "Spark saw the executor go:\n" + distillLog);
        JsonNode students = Json.MAPPER.readTree(run.resolve("students/manifest.json").toFile()).path("students");
        assertEquals(2, students.size(), "the searched student and its baseline: " + students);
        for (JsonNode s : students) {
            Path dir = run.resolve("students").resolve(s.path("name").asText());
            assertTrue(Files.exists(dir.resolve("arch.json")) && Files.exists(dir.resolve("model.safetensors")), dir.toString());
            assertTrue(s.path("held_out_loss").asDouble() < s.path("held_out_loss_at_init").asDouble(), s.toString());
        }
        assertTrue(!Files.exists(distillCheckpoints), "checkpoints are removed once every student is written");
    }

    /** /proc's command line in full (ProcessHandle.Info cuts it short, and an executor's classpath is long). */
    private static boolean isExecutor(ProcessHandle p) {
        try {
            byte[] cmdline = Files.readAllBytes(java.nio.file.Paths.get("/proc", String.valueOf(p.pid()), "cmdline"));
            return new String(cmdline, StandardCharsets.UTF_8).contains("CoarseGrainedExecutorBackend");
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private static boolean anyCheckpoint(Path dir) {
        try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
            return files.anyMatch(f -> f.getFileName().toString().equals("_SUCCESS") && f.getParent().getFileName().toString()
                    .startsWith("step-"));
        } catch (Exception e) {
            return false;
        }
    }
}
