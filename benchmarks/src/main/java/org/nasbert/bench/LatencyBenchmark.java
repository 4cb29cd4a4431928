package org.nasbert.bench;

import org.nasbert.jobs.search.ParetoFile;
import org.nasbert.latency.LatencyConditions;
import org.nasbert.latency.LatencyEngine;
import org.nasbert.latency.LatencyMeter;
import org.nasbert.latency.LatencyTable;
import org.nasbert.latency.OrtLatencyMeter;
import org.nasbert.space.Architecture;
import org.nasbert.space.BlockPath;
import org.nasbert.space.SearchSpace;
import org.nasbert.space.StudentSize;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Does a student's latency add up? Measures the latency table of the paper's space (every op at every width,
 * embeddings, projections, head) at one batch, sequence length and thread count, then builds random 4-block
 * students from the same parts as whole chains, times them, and prints measured against predicted: by the table
 * measured at the start (what the search uses) and by the student's parts timed beside the whole (BigDL: in the same
 * rounds; ONNX Runtime: right after the whole, which is timed alone as a server runs it)
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
        String engine = TokenizeBenchmark.stringArg(args, "--engine", LatencyEngine.BIGDL);
        SearchSpace space = SearchSpace.paper();
        LatencyEngine meter = LatencyEngine.ONNXRUNTIME.equals(engine)
                ? new OrtLatencyMeter(batch, seq, threads, Math.max(10, runs / 2), runs, space.ffnRatio(), 30522)
                : new LatencyMeter(batch, seq, threads, Math.max(10, runs / 2), runs, space.ffnRatio(), 30522);
        long t0 = System.nanoTime();
        LatencyTable table = meter.measure(space, StudentSize.BLOCK_0, LatencyConditions.machine());
        System.out.printf("latency table (%s %s): %d parts at batch %d x %d tokens, %d thread(s), %d runs each, measured in %.0f s%n",
                engine, table.conditions().get(LatencyConditions.ENGINE_VERSION), table.parts().size(), batch, seq, threads, runs,
                (System.nanoTime() - t0) / 1e9);
        printOps(table, space);
        if (!out.isEmpty()) {
            Files.write(Paths.get(out), table.toJson().getBytes(StandardCharsets.UTF_8));
            System.out.println("  written to " + out);
        }
        List<Double> errors = new ArrayList<>();
        List<Double> sideBySide = new ArrayList<>();
        List<Architecture> list = randomStudents(space, students);
        List<Integer> embeddingSizes = new ArrayList<>(java.util.Collections.nCopies(students, StudentSize.BLOCK_0));
        String run = TokenizeBenchmark.stringArg(args, "--run", "");
        LatencyTable runTable = table;
        LatencyEngine runMeter = meter;
        if (!run.isEmpty()) { // the students a search chose, predicted by a table of the run's space measured here and now
            org.nasbert.latency.TableSpec spec = org.nasbert.latency.TableSpec.fromJson(new String(Files.readAllBytes(
                    Paths.get(run, "latency", "space.json")), StandardCharsets.UTF_8), "space.json");
            runMeter = meter.withOutputWidth(spec.outputWidth); // the run's students carry their output projection
            runTable = runMeter.measure(spec.space, spec.embeddingSize, LatencyConditions.machine());
            ParetoFile pareto = org.nasbert.io.Json.MAPPER.readValue(Paths.get(run, "search", "pareto.json").toFile(), ParetoFile.class);
            for (ParetoFile.ConstraintResult c : pareto.constraints) {
                if (c.chosen != null) {
                    list.add(Architecture.parse(c.chosen.architecture));
                    embeddingSizes.add(c.chosen.embeddingSize != null ? c.chosen.embeddingSize : StudentSize.BLOCK_0);
                }
            }
        }
        for (int s = 0; s < list.size(); s++) {
            Architecture a = list.get(s);
            double predicted = (s < students ? table : runTable).predictMs(a, embeddingSizes.get(s));
            LatencyEngine.Comparison c = (s < students ? meter : runMeter).compare(a, embeddingSizes.get(s));
            double error = (predicted - c.whole.medianMs) / c.whole.medianMs;
            double paired = (c.predictedMs - c.whole.medianMs) / c.whole.medianMs;
            errors.add(Math.abs(error));
            sideBySide.add(Math.abs(paired));
            System.out.printf("  %s%n    measured %.2f ms [%.2f-%.2f]; the table's sum %.2f ms, error %+.1f%%; its parts timed "
                            + "beside it %.2f ms, error %+.1f%%%n", a, c.whole.medianMs, c.whole.p10Ms, c.whole.p90Ms, predicted,
                    100 * error, c.predictedMs, 100 * paired);
        }
        if (list.isEmpty()) {
            return;
        }
        System.out.printf("median |error| over %d students (goal <= 5%%, largest <= 10%%): %.1f%% against the table measured first "
                        + "(largest %.1f%%), %.1f%% with the parts timed beside the whole (largest %.1f%%)%n", list.size(),
                100 * TokenizeBenchmark.median(errors), 100 * max(errors), 100 * TokenizeBenchmark.median(sideBySide),
                100 * max(sideBySide));
    }

    /** Each hidden size's operations as the table timed them. */
    private static void printOps(LatencyTable table, SearchSpace space) {
        for (int h : space.hiddenSizes()) {
            StringBuilder line = new StringBuilder("  h" + h + ":");
            for (org.nasbert.space.Op op : space.operations()) {
                LatencyTable.Timing t = table.parts().get(LatencyTable.op(op, h));
                line.append(String.format(" %s %.3f ms [%.3f-%.3f]", op, t.medianMs, t.p10Ms, t.p90Ms));
            }
            System.out.println(line);
        }
    }

    /** Students of four blocks sampled from the space (seed 5). */
    private static List<Architecture> randomStudents(SearchSpace space, int count) {
        Random random = new Random(5);
        List<Architecture> list = new ArrayList<>();
        for (int s = 0; s < count; s++) {
            List<BlockPath> blocks = new ArrayList<>();
            for (int n = 0; n < 4; n++) {
                blocks.add(space.sample(random));
            }
            list.add(new Architecture(blocks));
        }
        return list;
    }

    private static double max(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }
}
