package org.nasbert.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nasbert.io.Json;
import org.nasbert.testing.TestData;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** train-blocks killed (SIGKILL) after its first checkpoints, then rerun: it resumes from the newest and finishes. */
class TrainBlocksResumeIT {
    private static final String[] SMALL = {"--hidden-sizes", "64", "--kernels", "3", "--layers-per-block", "2",
            "--batch-size", "8", "--steps", "150", "--warmup-steps", "10", "--checkpoint-every", "10", "--partitions", "2",
            "--eval-paths", "4", "--learning-rate", "0.002", "--steps-per-epoch", "10", "--warmup-epochs", "1", "--bins", "2",
            "--keep", "2", "--sample", "4", "--eval-sequences", "8"};

    @TempDir
    Path temp;

    private Process start(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(new File(TestData.projectDir(), "bin/nasbert").getPath());
        command.addAll(Arrays.asList(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(temp.toFile());
        builder.environment().remove("SPARK_HOME");
        builder.environment().put("NASBERT_DRIVER_MEMORY", "1500m");
        long id = System.nanoTime();
        return builder.redirectOutput(temp.resolve("out-" + id).toFile()).redirectError(temp.resolve("err-" + id).toFile()).start();
    }

    private String run(String... args) throws Exception {
        Process p = start(args);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES));
        // the newest err-* file is this run's log
        Path err = Files.list(temp).filter(f -> f.getFileName().toString().startsWith("err-"))
                .max(java.util.Comparator.comparing(Path::toString)).orElseThrow(IllegalStateException::new);
        String log = new String(Files.readAllBytes(err), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), log);
        return log;
    }

    private static String[] with(String[] base, String... more) {
        String[] all = Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    @Test
    void aKilledRunResumesFromItsNewestCheckpoint() throws Exception {
        Path run = temp.resolve("run");
        run("tokenize", "--run", run.toString());
        run("teacher", "--run", run.toString(), "--sequences", "96", "--held-out", "0.2");
        // a fixed table (latency in proportion to weights): shrinking's bins, and so its rounds, do not depend on timing noise
        Path table = FixedLatencyTable.write(temp.resolve("table.json"), new int[]{64}, new int[]{3});
        run("latency", "--run", run.toString(), "--hidden-sizes", "64", "--kernels", "3", "--import", table.toString());

        Process first = start(with(new String[]{"train-blocks", "--run", run.toString()}, SMALL));
        Path checkpoints = run.resolve("_checkpoints-supernet");
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
        while (!Files.exists(checkpoints.resolve("step-00000019/_SUCCESS")) && first.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertTrue(first.isAlive(), "the first run was still training when its second checkpoint appeared");
        first.destroyForcibly().waitFor();
        assertFalse(Files.exists(run.resolve("supernet/_SUCCESS")), "a killed run leaves no finished output");

        String log = run(with(new String[]{"train-blocks", "--run", run.toString()}, SMALL));
        assertTrue(log.contains("train-blocks: resumed from"), log);
        JsonNode manifest = Json.MAPPER.readTree(run.resolve("supernet/manifest.json").toFile());
        long resumed = manifest.path("resumed_from_step").asLong();
        assertTrue(resumed >= 19 && resumed < 149, "resumed from step " + resumed);
        assertTrue(Files.exists(run.resolve("supernet/_SUCCESS")));
        for (JsonNode block : manifest.path("evaluation")) {
            assertTrue(block.path("mean_loss").asDouble() < 1.0, block.toString());
        }
        assertTrue(manifest.path("shrinking").path("rounds").asInt() >= 2, manifest.path("shrinking").toString());

        // the same training uninterrupted, on a copy of the same inputs: shrinking after the resume (rounds replayed
        // from their records, later rounds scored afresh) keeps exactly the same candidates
        Path fresh = temp.resolve("fresh");
        for (String output : new String[]{"corpus", "teacher", "latency"}) {
            copy(run.resolve(output), fresh.resolve(output));
        }
        run(with(new String[]{"train-blocks", "--run", fresh.toString()}, SMALL));
        assertEquals(candidates(fresh), candidates(run));
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

    private static void copy(Path from, Path to) throws Exception {
        try (java.util.stream.Stream<Path> files = Files.walk(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
    }
}
