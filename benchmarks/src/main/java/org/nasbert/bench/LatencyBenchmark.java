package org.nasbert.bench;

import org.nasbert.latency.LatencyMeter;
import org.nasbert.latency.LatencyTable;
import org.nasbert.space.Architecture;
import org.nasbert.space.BlockPath;
import org.nasbert.space.SearchSpace;
import org.nasbert.space.StudentSize;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Does a student's latency add up? Measures the latency table of the paper's space (every op at every width,
 * embeddings, projections, head) at one batch, sequence length and thread count, then builds random 4-block
 * students from the same parts as whole chains, times them, and prints measured against predicted: by the table
 * measured at the start (what the search uses) and by the student's parts timed in the same rounds as the whole
 * (the units and sums, with the machine's drift over minutes cancelled).
 */
final class LatencyBenchmark {
    private LatencyBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        int batch = TokenizeBenchmark.intArg(args, "--batch", 1);
        int seq = TokenizeBenchmark.intArg(args, "--seq", 128);
        int threads = TokenizeBenchmark.intArg(args, "--threads", 1);
        int runs = TokenizeBenchmark.intArg(args, "--runs", 30);
        int students = TokenizeBenchmark.intArg(args, "--students", 8);
        String out = TokenizeBenchmark.stringArg(args, "--out", "");
        SearchSpace space = SearchSpace.paper();
        LatencyMeter meter = new LatencyMeter(batch, seq, threads, Math.max(10, runs / 2), runs, space.ffnRatio(), 30522);
        Map<String, String> machine = new LinkedHashMap<>();
        machine.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        machine.put("cores", "" + Runtime.getRuntime().availableProcessors());
        long t0 = System.nanoTime();
        LatencyTable table = meter.measure(space, machine);
        System.out.printf("latency table: %d parts at batch %d x %d tokens, %d thread(s), %d runs each, measured in %.0f s%n",
                table.parts().size(), batch, seq, threads, runs, (System.nanoTime() - t0) / 1e9);
        for (int h : space.hiddenSizes()) {
            StringBuilder line = new StringBuilder("  h" + h + ":");
            for (org.nasbert.space.Op op : space.operations()) {
                LatencyTable.Timing t = table.parts().get(LatencyTable.op(op, h));
                line.append(String.format(" %s %.3f ms [%.3f-%.3f]", op, t.medianMs, t.p10Ms, t.p90Ms));
            }
            System.out.println(line);
        }
        if (!out.isEmpty()) {
            Files.write(Paths.get(out), table.toJson().getBytes(StandardCharsets.UTF_8));
            System.out.println("  written to " + out);
        }
        Random random = new Random(5);
        List<Double> errors = new ArrayList<>();
        List<Double> sideBySide = new ArrayList<>();
        for (int s = 0; s < students; s++) {
            List<BlockPath> blocks = new ArrayList<>();
            for (int n = 0; n < 4; n++) {
                blocks.add(space.sample(random));
            }
            Architecture a = new Architecture(blocks);
            double predicted = table.predictMs(a);
            LatencyMeter.Comparison c = meter.compare(a, StudentSize.BLOCK_0);
            double error = (predicted - c.whole.medianMs) / c.whole.medianMs;
            double paired = (c.predictedMs - c.whole.medianMs) / c.whole.medianMs;
            errors.add(Math.abs(error));
            sideBySide.add(Math.abs(paired));
            System.out.printf("  %s%n    measured %.2f ms [%.2f-%.2f]; the table's sum %.2f ms, error %+.1f%%; its parts timed in the "
                            + "same rounds %.2f ms, error %+.1f%%%n", a, c.whole.medianMs, c.whole.p10Ms, c.whole.p90Ms, predicted,
                    100 * error, c.predictedMs, 100 * paired);
        }
        if (students == 0) {
            return;
        }
        System.out.printf("median |error| over %d students (goal <= 5%%): %.1f%% against the table measured first (largest %.1f%%), "
                        + "%.1f%% with the parts timed beside the whole (largest %.1f%%)%n", students,
                100 * TokenizeBenchmark.median(errors), 100 * max(errors), 100 * TokenizeBenchmark.median(sideBySide),
                100 * max(sideBySide));
    }

    private static double max(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }
}
