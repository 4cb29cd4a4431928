package org.nasbert.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * train-blocks throughput with 2 executors against 1, in Spark's local-cluster mode (real executor JVMs, one core
 * each), runs interleaved: each run is a fresh {@code bin/nasbert train-blocks} on the same teacher states
 * (linked from an existing run, by default the demo's), and its steps/s is read from the stage's manifest: one over the
 * median step after the first (the first builds the replicas and caches the rows; pruning rounds and checkpoints are
 * not steps). The global batch is fixed, so 2 executors each compute half of it (data parallel) and the ratio shows
 * what the per-step shipping and aggregation cost. {@code --compare k=v,...} pairs each run with the same run under
 * those Spark settings; {@code --baseline DIR} with the same run by another built checkout (an earlier commit).
 */
final class ScalingBenchmark {
    private ScalingBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path source = Paths.get(TokenizeBenchmark.stringArg(args, "--run", "runs/demo")).toAbsolutePath();
        int steps = TokenizeBenchmark.intArg(args, "--steps", 30);
        int batch = TokenizeBenchmark.intArg(args, "--batch", 64);
        int runs = TokenizeBenchmark.intArg(args, "--runs", 3);
        String hidden = TokenizeBenchmark.stringArg(args, "--hidden-sizes", "128,256");
        String memory = TokenizeBenchmark.stringArg(args, "--executor-memory-mb", "3072");
        for (String stage : new String[]{"corpus", "teacher"}) {
            if (!Files.isRegularFile(source.resolve(stage).resolve("_SUCCESS"))) {
                throw new IllegalArgumentException(source + " has no finished " + stage + " stage; run bin/nasbert demo first "
                        + "or pass --run <a run directory with corpus and teacher>");
            }
        }
        System.out.printf("train-blocks scaling: local-cluster, 1 core per executor, %d steps of batch %d, hidden sizes %s, "
                + "4 layers per block, teacher states from %s, %d runs each, interleaved%n", steps, batch, hidden, source, runs);
        List<Variant> variants = variants(args);
        List<List<Double>> one = new ArrayList<>();
        List<List<Double>> two = new ArrayList<>();
        for (Variant ignored : variants) {
            one.add(new ArrayList<>());
            two.add(new ArrayList<>());
        }
        for (int r = 0; r < runs; r++) {
            for (int v = 0; v < variants.size(); v++) {
                Variant variant = variants.get(v);
                double s1 = run(variant.home, source, 1, steps, batch, hidden, memory, r, variant.confs);
                double s2 = run(variant.home, source, 2, steps, batch, hidden, memory, r, variant.confs);
                one.get(v).add(s1);
                two.get(v).add(s2);
                System.out.printf("  run %d%s: 1 executor %.3f steps/s, 2 executors %.3f steps/s, ratio %.2f%n", r + 1,
                        variant.label, s1, s2, s2 / s1);
            }
        }
        for (int v = 0; v < variants.size(); v++) {
            List<Double> ratios = new ArrayList<>();
            for (int r = 0; r < runs; r++) {
                ratios.add(two.get(v).get(r) / one.get(v).get(r));
            }
            System.out.printf("median%s: 1 executor %.3f steps/s, 2 executors %.3f steps/s, ratio %.2f (goal >= 1.8)%n",
                    variants.get(v).label, TokenizeBenchmark.median(one.get(v)), TokenizeBenchmark.median(two.get(v)),
                    TokenizeBenchmark.median(ratios));
        }
        if (variants.size() == 2) {
            for (int e = 1; e <= 2; e++) {
                List<List<Double>> by = e == 1 ? one : two;
                List<Double> paired = new ArrayList<>();
                for (int r = 0; r < runs; r++) {
                    paired.add(by.get(1).get(r) / by.get(0).get(r));
                }
                System.out.printf("%s /%s, %d executor(s), run by run: %s; median %.2f%n", variants.get(1).label.trim(),
                        variants.get(0).label.isEmpty() ? " without" : variants.get(0).label, e, ratios(paired),
                        TokenizeBenchmark.median(paired));
            }
        }
    }

    /** What each pair runs: one bin/nasbert as is, or beside it the same with Spark confs, or another checkout's first. */
    private static final class Variant {
        final String label;
        final String home;
        final List<String> confs;

        Variant(String label, String home, List<String> confs) {
            this.label = label;
            this.home = home;
            this.confs = confs;
        }
    }

    private static List<Variant> variants(String[] args) {
        String home = System.getProperty("nasbert.home", ".");
        // --compare k=v,k=v: the same runs again with those Spark confs, interleaved with the plain ones (an A/B of a setting)
        String compare = TokenizeBenchmark.stringArg(args, "--compare", "");
        // --baseline DIR: another built checkout's bin/nasbert (an earlier commit) before this one's in every pair
        String baseline = TokenizeBenchmark.stringArg(args, "--baseline", "");
        if (!compare.isEmpty() && !baseline.isEmpty()) {
            throw new IllegalArgumentException("--compare and --baseline: one at a time");
        }
        List<Variant> variants = new ArrayList<>();
        if (!baseline.isEmpty()) {
            if (!new File(baseline, "bin/nasbert").canExecute()) {
                throw new IllegalArgumentException("--baseline " + baseline + ": no bin/nasbert there (a built checkout expected)");
            }
            variants.add(new Variant(" baseline " + baseline, baseline, confs("")));
            variants.add(new Variant(" this checkout", home, confs("")));
        } else {
            variants.add(new Variant("", home, confs("")));
            if (!compare.isEmpty()) {
                variants.add(new Variant(" with " + compare, home, confs(compare)));
            }
        }
        return variants;
    }

    private static List<String> confs(String variant) {
        List<String> confs = new ArrayList<>();
        for (String kv : variant.isEmpty() ? new String[0] : variant.split(",")) {
            confs.add("--conf");
            confs.add(kv.trim());
        }
        return confs;
    }

    private static String ratios(List<Double> values) {
        List<String> out = new ArrayList<>();
        for (double v : values) {
            out.add(String.format("%.2f", v));
        }
        return String.join(", ", out);
    }

    private static double run(String home, Path source, int executors, int steps, int batch, String hidden, String memory, int r,
                              List<String> confs)
            throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("nasbert-scaling-" + executors + "x-");
        for (String stage : new String[]{"corpus", "teacher"}) {
            Files.createSymbolicLink(dir.resolve(stage), source.resolve(stage));
        }
        File log = dir.resolve("train-blocks.log").toFile();
        // train-blocks bins paths by a latency table of its own space: timed here (seconds), before the measured stage
        List<String> latency = new ArrayList<>(Arrays.asList(new File(home, "bin/nasbert").getPath(),
                "latency", "--run", dir.toString(), "--set", "supernet.hidden-sizes=" + hidden, "--set", "supernet.kernels=3,5",
                "--set", "supernet.layers-per-block=4"));
        if (new ProcessBuilder(latency).redirectErrorStream(true).redirectOutput(dir.resolve("latency.log").toFile()).start().waitFor() != 0) {
            throw new IllegalStateException("the latency stage failed; see " + dir.resolve("latency.log"));
        }
        List<String> command = new ArrayList<>(Arrays.asList(
                new File(home, "bin/nasbert").getPath(), "train-blocks",
                "--run", dir.toString(), "--master", "local-cluster[" + executors + ",1," + memory + "]",
                "--conf", "spark.executor.memory=" + memory + "m"));
        command.addAll(confs);
        for (String set : new String[]{"supernet.steps=" + steps, "supernet.batch-size=" + batch,
                "supernet.partitions=" + executors, "supernet.hidden-sizes=" + hidden, "supernet.layers-per-block=4",
                "supernet.kernels=3,5", "supernet.eval-paths=1", "supernet.checkpoint-every=" + steps,
                "supernet.warmup-steps=2", "supernet.seed=" + (42 + r)}) {
            command.add("--set");
            command.add(set);
        }
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
        if (process.waitFor() != 0) {
            throw new IllegalStateException("train-blocks with " + executors + " executor(s) failed; see " + log);
        }
        JsonNode manifest = new ObjectMapper().readTree(dir.resolve("supernet/manifest.json").toFile());
        return 1 / manifest.get("seconds_per_step_median").asDouble();
    }
}
