package org.nasbert.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nasbert.io.Json;
import org.nasbert.testing.MklPaths;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nasbert.jobs.NasbertProcess.with;

/**
 * An executor JVM killed (SIGKILL) in Spark's local-cluster mode, once during train-blocks and once during distill: Spark
 * replaces it and reruns the lost tasks, and each stage completes with complete outputs; distill's rerun task resumes its
 * student from the checkpoint it had written. The supernet trained so is the one local mode trains from the same inputs.
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

    /** Waits until {@code ready}, then kills the run's executor JVM that {@code which} picks; returns its pid. */
    private static long killAnExecutorWhen(Process driver, BooleanSupplier ready, Predicate<String> which) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (!ready.getAsBoolean() && driver.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertTrue(driver.isAlive(), "the stage was still running when the moment came");
        Optional<ProcessHandle> executor = driver.toHandle().descendants()
                .filter(p -> {
                    String cmd = commandLine(p);
                    return cmd.contains("CoarseGrainedExecutorBackend") && which.test(cmd);
                }).findFirst();
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
        start("teacher", "--run", run.toString(), "--sequences", "96", "--held-out", "0.2", "--set", "teacher.states=materialize").finish(8);
        start("latency", "--run", run.toString(), "--hidden-sizes", "64", "--kernels", "3", "--import", table.toString()).finish(8);

        String[] training = {"--hidden-sizes", "64", "--kernels", "3", "--layers-per-block", "2", "--batch-size", "8", "--steps", "40",
                "--warmup-steps", "5", "--checkpoint-every", "10", "--partitions", "3", "--eval-paths", "4", "--steps-per-epoch", "10",
                "--warmup-epochs", "1", "--bins", "2", "--keep", "2", "--sample", "4", "--eval-sequences", "8"};
        NasbertProcess train = start(with(new String[]{"train-blocks", "--run", run.toString(), "--master", CLUSTER}, training));
        Path supernetCheckpoint = run.resolve("_checkpoints-supernet/step-00000019/_SUCCESS");
        killAnExecutorWhen(train.process, () -> Files.exists(supernetCheckpoint), any -> true);
        String trainLog = train.finish(8);
        assertTrue(trainLog.contains("Lost executor") || trainLog.contains("ExecutorLostFailure"),
                "Spark saw the executor go:\n" + trainLog);
        JsonNode supernet = Json.MAPPER.readTree(run.resolve("supernet/manifest.json").toFile());
        assertEquals(40, supernet.path("steps").asInt(), supernet.toString());
        // each executor JVM chose MKL's code path for its own CPU (the executor plugin), and the manifest says which ran
        assertTrue(supernet.path("machines").path("executors").size() >= 1, supernet.path("machines").toString());
        for (JsonNode machine : supernet.path("machines").path("executors")) {
            MklPaths.assertRanFast(machine, "train-blocks executor " + machine.path("executor").asText());
        }
        assertTrue(Files.exists(run.resolve("supernet/_SUCCESS")) && Files.exists(run.resolve("supernet/candidates.json")));
        for (JsonNode block : supernet.path("evaluation")) {
            double loss = block.path("mean_loss").asDouble();
            assertTrue(loss > 0 && loss < block.path("mean_loss_at_init").asDouble(), "block trained: " + block);
        }
        // the same training in local mode on a copy of its inputs computes the same supernet: which executor held a
        // partition, and losing one, changes no minibatch and no number (three partitions: two partitions' gradients
        // sum to the same bits in either order, three do not unless the order is fixed)
        Path local = temp.resolve("local");
        for (String output : new String[]{"corpus", "teacher", "latency"}) {
            TestFiles.copyTree(run.resolve(output), local.resolve(output));
        }
        start(with(new String[]{"train-blocks", "--run", local.toString(), "--master", "local[2]"}, training)).finish(8);
        assertEquals(supernet.path("evaluation"), Json.MAPPER.readTree(local.resolve("supernet/manifest.json").toFile()).path("evaluation"));
        assertEquals(new String(Files.readAllBytes(local.resolve("supernet/candidates.json")), StandardCharsets.UTF_8),
                new String(Files.readAllBytes(run.resolve("supernet/candidates.json")), StandardCharsets.UTF_8));

        start("search", "--run", run.toString(), "--constraint", "params=3M", "--top", "2", "--eval-sequences", "8").finish(8);
        // the memory guard: a step too large for the executors' 1 GB (spark.executor.memory's default) is refused before any
        // work, naming the setting; the run below, with the executors' memory unchanged and a small step, fits and runs
        String refused = start("distill", "--run", run.toString(), "--master", CLUSTER, "--batch-size", "4096").finish(8, 1);
        assertTrue(refused.contains("distill needs about ") && refused.contains("in each executor") && refused.contains(
                "distill.batch-size = 4096") && refused.contains("raise spark.executor.memory (--executor-memory) to at least"), refused);
        assertTrue(!Files.exists(run.resolve("students")) && !Files.exists(run.resolve("_checkpoints-distill")), "nothing written");
        NasbertProcess distill = start("distill", "--run", run.toString(), "--master", CLUSTER, "--steps", "60", "--batch-size", "4",
                "--eval-sequences", "8", "--checkpoint-every", "10");
        Path distillCheckpoints = run.resolve("_checkpoints-distill");
        Path[] seen = new Path[1];
        String[] executor = new String[1];
        // the executor training the student whose checkpoint appeared first (its progress.json names the executor)
        killAnExecutorWhen(distill.process, () -> (seen[0] = anyCheckpoint(distillCheckpoints)) != null
                && (executor[0] = executorId(seen[0])) != null, cmd -> cmd.contains("--executor-id\u0000" + executor[0] + "\u0000"));
        assertTrue(executor[0] != null, "a distill checkpoint naming its executor appeared");
        String killedStudent = seen[0].getParent().getFileName().toString();
        int checkpointed = Integer.parseInt(seen[0].getFileName().toString().substring("step-".length()));
        String distillLog = distill.finish(8);
        assertTrue(distillLog.contains("Lost executor") || distillLog.contains("ExecutorLostFailure"),
                "Spark saw the executor go:\n" + distillLog);
        JsonNode students = Json.MAPPER.readTree(run.resolve("students/manifest.json").toFile()).path("students");
        // the searched student and its equal-parameters and equal-latency baselines (one student when they coincide)
        java.util.Set<String> roles = new java.util.TreeSet<>();
        int searched = 0;
        for (JsonNode s : students) {
            searched += "searched".equals(s.path("kind").asText()) ? 1 : 0;
            s.path("baseline_for").forEach(r -> roles.add(r.asText()));
        }
        assertEquals(1, searched, students.toString());
        assertEquals(java.util.Arrays.asList("latency", "parameters"), new java.util.ArrayList<>(roles), students.toString());
        for (JsonNode s : students) {
            Path dir = run.resolve("students").resolve(s.path("name").asText());
            assertTrue(Files.exists(dir.resolve("arch.json")) && Files.exists(dir.resolve("model.safetensors")), dir.toString());
            assertTrue(s.path("held_out_loss").asDouble() < s.path("held_out_loss_at_init").asDouble(), s.toString());
            if (s.path("name").asText().equals(killedStudent)) {
                assertTrue(s.path("resumed_from_step").asInt() >= checkpointed, "the killed student's rerun task resumed from "
                        + "its checkpoint (step " + checkpointed + " or later): " + s);
            } else {
                assertEquals(0, s.path("resumed_from_step").asInt(), "the other students ran once: " + s);
            }
        }
        assertTrue(!Files.exists(distillCheckpoints), "checkpoints are removed once every student is written");
    }

    /** /proc's command line in full, arguments separated by NUL (ProcessHandle.Info cuts it short: the classpath is long). */
    private static String commandLine(ProcessHandle p) {
        try {
            byte[] cmdline = Files.readAllBytes(java.nio.file.Paths.get("/proc", String.valueOf(p.pid()), "cmdline"));
            return new String(cmdline, StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            return "";
        }
    }

    /** A complete checkpoint's directory under {@code dir}/<student>/, or null. */
    private static Path anyCheckpoint(Path dir) {
        try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
            return files.filter(f -> f.getFileName().toString().equals("_SUCCESS") && f.getParent().getFileName().toString()
                    .startsWith("step-")).map(Path::getParent).findFirst().orElse(null);
        } catch (Exception e) {
            return null;
        }
    }

    /** The executor id a distill checkpoint's progress.json records ("executor 1 on host"); null if it is gone already. */
    private static String executorId(Path checkpoint) {
        String writer;
        try {
            writer = Json.MAPPER.readTree(checkpoint.resolve("progress.json").toFile()).path("written_by").asText();
        } catch (java.io.IOException e) {
            return null; // replaced by a newer checkpoint meanwhile: look again
        }
        assertTrue(writer.startsWith("executor "), "progress.json names its executor: " + writer);
        return writer.split(" ")[1];
    }
}
