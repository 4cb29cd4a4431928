package org.nasbert.bench;

import com.intel.analytics.bigdl.mkl.MKL;
import org.apache.hadoop.conf.Configuration;
import org.nasbert.io.Json;
import org.nasbert.jobs.search.ParetoFile;
import org.nasbert.space.Architecture;
import org.nasbert.space.StudentSize;
import org.nasbert.student.Baselines;
import org.nasbert.student.StudentModel;
import org.nasbert.teacher.BertModel;
import org.nasbert.teacher.BertWeights;
import org.nasbert.teacher.TeacherCheckpoint;
import org.nasbert.testing.TestData;

import java.io.File;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * Inference speed of students against the teacher at the paper's speed setting (batch 128, sequence 128), the batch
 * split over the cores (one MKL thread each, forwards of 16 sequences), runs interleaved: the uniform baselines at the paper's budgets (5M to
 * 60M) and, with {@code --pareto}, the students a search chose. The paper reports NAS-BERT5 at 23.6x BERT-base.
 */
final class StudentSpeedBenchmark {
    private StudentSpeedBenchmark() {
    }

    /** Sequences per forward inside a thread's share of the batch. */
    private static final int CHUNK = 16;

    interface Encoder {
        void forward(int[][] ids, int[] lengths);
    }

    public static void main(String[] args) throws Exception {
        int batch = TokenizeBenchmark.intArg(args, "--batch", 128);
        int seq = TokenizeBenchmark.intArg(args, "--seq", 128);
        int threads = TokenizeBenchmark.intArg(args, "--threads", Runtime.getRuntime().availableProcessors());
        int runs = TokenizeBenchmark.intArg(args, "--runs", 3);
        String teacherName = TokenizeBenchmark.stringArg(args, "--teacher", "bert-base");
        String pareto = TokenizeBenchmark.stringArg(args, "--pareto", "");
        BertWeights weights = TeacherCheckpoint.open("minilm".equals(teacherName) ? TestData.MINILM_MODEL : TestData.BERT_BASE,
                new Configuration()).weights();
        Map<String, Architecture> students = students(pareto);
        int[][] ids = randomIds(batch, seq);
        System.out.printf("student speed: teacher %s (%,d weights), batch %d x %d tokens, %d threads (1 MKL thread each), %d runs "
                + "after a warm-up, interleaved%n", teacherName, weights.parameterCount(), batch, seq, threads, runs);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        Map<String, List<Encoder>> encoders = new LinkedHashMap<>();
        encoders.put("teacher", perThread(threads, i -> {
            BertModel m = new BertModel(weights);
            int last = weights.config().numLayers;
            // statesAfter keeps one layer's activations at a time (a full forward keeps all twelve)
            return (x, l) -> m.statesAfter(x, null, l, new int[]{last});
        }));
        for (Map.Entry<String, Architecture> e : students.entrySet()) {
            Architecture a = e.getValue();
            encoders.put(e.getKey(), perThread(threads, i -> {
                StudentModel m = StudentModel.fresh(a, a.blocks().get(0).hidden(), 30522, 512, 4, 5);
                return (x, l) -> m.infer(x, null, l);
            }));
        }
        Map<String, List<Double>> seconds = new LinkedHashMap<>();
        for (int r = -1; r < runs; r++) {
            for (Map.Entry<String, List<Encoder>> e : encoders.entrySet()) {
                double s = time(pool, e.getValue(), ids);
                if (r >= 0) {
                    seconds.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(s);
                }
            }
        }
        pool.shutdown();
        double teacher = TokenizeBenchmark.median(seconds.get("teacher"));
        System.out.printf("  %-44s %8.2f s per batch (median), %7.1f seq/s%n", "teacher", teacher, batch / teacher);
        for (String name : students.keySet()) {
            List<Double> s = seconds.get(name);
            List<Double> ratios = new ArrayList<>();
            for (int i = 0; i < s.size(); i++) {
                ratios.add(seconds.get("teacher").get(i) / s.get(i));
            }
            System.out.printf("  %-44s %8.3f s per batch (median), %7.1f seq/s, speedup over the teacher %.1fx (runs %s)%n", name,
                    TokenizeBenchmark.median(s), batch / TokenizeBenchmark.median(s), TokenizeBenchmark.median(ratios), fmt(ratios));
        }
    }

    /** The largest uniform students within 5M, 10M, 30M and 60M weights, then the searched students of a pareto.json. */
    private static Map<String, Architecture> students(String pareto) throws java.io.IOException {
        Map<String, Architecture> students = new LinkedHashMap<>();
        int[] widths = {128, 192, 256, 384, 512};
        for (long budget : new long[]{5_000_000, 10_000_000, 30_000_000, 60_000_000}) {
            Architecture a = Baselines.largestWithin(budget, widths, 12, StudentSize.BERT);
            int layers = a.blocks().get(0).depth() / 2;
            students.put(String.format("uniform L%d/H%d (%.1fM, within %dM)", layers, a.blocks().get(0).hidden(),
                    StudentSize.BERT.parameters(a) / 1e6, budget / 1_000_000), a);
        }
        if (!pareto.isEmpty()) {
            for (ParetoFile.ConstraintResult c : Json.MAPPER.readValue(new File(pareto), ParetoFile.class).constraints) {
                if (c.chosen != null) {
                    students.put("searched " + c.constraint, Architecture.parse(c.chosen.architecture));
                }
            }
        }
        return students;
    }

    private static int[][] randomIds(int batch, int seq) {
        int[][] ids = new int[batch][seq];
        Random random = new Random(1);
        for (int[] row : ids) {
            for (int t = 0; t < seq; t++) {
                row[t] = 1000 + random.nextInt(29000);
            }
        }
        return ids;
    }

    private static String fmt(List<Double> ratios) {
        StringBuilder s = new StringBuilder();
        for (double r : ratios) {
            s.append(s.length() == 0 ? "" : ", ").append(String.format("%.1f", r));
        }
        return s.toString();
    }

    private static List<Encoder> perThread(int threads, Function<Integer, Encoder> make) {
        List<Encoder> out = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            out.add(make.apply(i));
        }
        return out;
    }

    private static double time(ExecutorService pool, List<Encoder> encoders, int[][] ids) throws Exception {
        int threads = encoders.size();
        long start = System.nanoTime();
        List<Future<?>> parts = new ArrayList<>();
        int per = (ids.length + threads - 1) / threads;
        for (int i = 0; i < threads; i++) {
            int from = Math.min(ids.length, i * per);
            int to = Math.min(ids.length, from + per);
            Encoder encoder = encoders.get(i);
            parts.add(pool.submit(() -> {
                MKL.setNumThreads(1);
                // chunks bound the activations each model keeps (4 GB for 64 sequences through BERT-base's layers)
                for (int at = from; at < to; at += CHUNK) {
                    int[][] part = Arrays.copyOfRange(ids, at, Math.min(to, at + CHUNK));
                    int[] lengths = new int[part.length];
                    Arrays.fill(lengths, ids[0].length);
                    encoder.forward(part, lengths);
                }
                return null;
            }));
        }
        for (Future<?> f : parts) {
            f.get();
        }
        return (System.nanoTime() - start) / 1e9;
    }
}
