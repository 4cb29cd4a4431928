package org.nasbert.bench;

import org.apache.spark.sql.SparkSession;
import org.nasbert.conf.Settings;
import org.nasbert.prep.TokenizeStage;
import org.nasbert.spark.SparkSessions;
import org.nasbert.stage.StageResult;
import org.nasbert.stage.StageRunner;
import org.nasbert.testing.TestData;
import org.nasbert.text.IntList;
import org.nasbert.text.WordPieceTokenizer;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The tokenize job's throughput beside the raw tokenizer's, on the same text, in the same JVM run:
 * the shipped corpus copied N times; the raw tokenizer on 1 and on T threads (lines in memory); the
 * job (read, split sentences, tokenize, pack, shuffle, write Parquet) in Spark local[T]. Medians of
 * several runs after a warm-up. Besides the wall-clock rates, the CPU time per token of the raw tokenizer's threads
 * and of the job's tasks (Spark's executor CPU time): on a shared machine whose other tenants take cores now and
 * then, the CPU ratio is the steadier measure of the job's own overhead.
 */
final class TokenizeBenchmark {
    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

    private TokenizeBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int copies = intArg(args, "--copies", 16);
        int runs = intArg(args, "--runs", 3);
        int threads = intArg(args, "--threads", Runtime.getRuntime().availableProcessors());
        Path work = Files.createTempDirectory("nasbert-bench-tokenize");
        Path corpus = makeCorpus(work.resolve("corpus"), copies);
        List<String> lines = lines(corpus);
        WordPieceTokenizer tokenizer = new WordPieceTokenizer(TestData.minilmVocabulary());
        System.out.printf("tokenize benchmark: %d copies of the shipped corpus, %,d lines, %,d bytes; %d threads; "
                        + "%d runs after a warm-up; %s, %d cores%n", copies, lines.size(), bytes(corpus), threads, runs,
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors());

        raw(tokenizer, lines, 1, new long[1]);
        long corpusTokens = tokens(tokenizer, lines);
        List<Double> raw1 = new ArrayList<>();
        List<Double> rawT = new ArrayList<>();
        List<Double> rawCpu = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            long[] cpu = new long[1];
            raw1.add(raw(tokenizer, lines, 1, cpu));
            rawT.add(raw(tokenizer, lines, threads, cpu));
            rawCpu.add(cpu[0] / 2.0 / corpusTokens);
        }

        SparkSession spark = SparkSessions.start(SparkSessions.conf("nasbert bench tokenize", "local[" + threads + "]")
                .set("spark.ui.enabled", "false"));
        List<Double> job = new ArrayList<>();
        List<Double> jobCpu = new ArrayList<>();
        TaskCpu taskCpu = new TaskCpu();
        spark.sparkContext().addSparkListener(taskCpu);
        try {
            for (int r = 0; r <= runs; r++) {
                taskCpu.reset();
                Settings settings = Settings.defaults()
                        .with("run.dir", work.resolve("run").toString(), "bench")
                        .with("tokenize.input", corpus.toString(), "bench");
                StageResult result = StageRunner.run(new TokenizeStage(), settings, spark, true);
                double rate = result.manifest.path("counts").path("tokens").asLong() / result.seconds;
                spark.sparkContext().listenerBus().waitUntilEmpty(10_000);
                double cpuPerToken = taskCpu.nanos() / (double) result.manifest.path("counts").path("tokens").asLong();
                if (r > 0) {
                    job.add(rate);
                    jobCpu.add(cpuPerToken);
                }
                System.out.printf("  job run %d%s: %.2f s, %,.0f tokens/s, tasks' CPU %.0f ns a token%n", r, r == 0 ? " (warm-up)" : "",
                        result.seconds, rate, cpuPerToken);
            }
        } finally {
            spark.stop();
        }
        System.out.printf("raw tokenizer, 1 thread:   %,12.0f tokens/s  (runs %s)%n", median(raw1), format(raw1));
        System.out.printf("raw tokenizer, %d threads:  %,12.0f tokens/s  (runs %s)%n", threads, median(rawT), format(rawT));
        System.out.printf("tokenize job, local[%d]:   %,12.0f tokens/s  (runs %s)%n", threads, median(job), format(job));
        System.out.printf("job / raw on %d threads:   %.2f   (goal >= 0.70)%n", threads, median(job) / median(rawT));
        System.out.printf("CPU a token: raw %.0f ns, job's tasks %.0f ns; raw / job %.2f  (runs raw %s; job %s)%n", median(rawCpu),
                median(jobCpu), median(rawCpu) / median(jobCpu), format(rawCpu), format(jobCpu));
    }

    /** Tokens per second of the bare tokenizer over every line, split among {@code threads}; adds its threads' CPU to cpu[0]. */
    static double raw(WordPieceTokenizer tokenizer, List<String> lines, int threads, long[] cpu) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            long start = System.nanoTime();
            List<Future<Long>> parts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int offset = t;
                parts.add(pool.submit(() -> {
                    long cpuStart = THREADS.getCurrentThreadCpuTime();
                    IntList ids = new IntList(512);
                    long tokens = 0;
                    for (int i = offset; i < lines.size(); i += threads) {
                        ids.clear();
                        String line = lines.get(i);
                        tokens += tokenizer.encode(line, 0, line.length(), ids);
                    }
                    synchronized (cpu) {
                        cpu[0] += THREADS.getCurrentThreadCpuTime() - cpuStart;
                    }
                    return tokens;
                }));
            }
            long tokens = 0;
            for (Future<Long> part : parts) {
                tokens += part.get();
            }
            return tokens / ((System.nanoTime() - start) / 1e9);
        } finally {
            pool.shutdown();
        }
    }

    private static long tokens(WordPieceTokenizer tokenizer, List<String> lines) {
        IntList ids = new IntList(512);
        long tokens = 0;
        for (String line : lines) {
            ids.clear();
            tokens += tokenizer.encode(line, 0, line.length(), ids);
        }
        return tokens;
    }

    /** The executor CPU time of the tasks that ended since the last reset. */
    private static final class TaskCpu extends org.apache.spark.scheduler.SparkListener {
        private final java.util.concurrent.atomic.AtomicLong nanos = new java.util.concurrent.atomic.AtomicLong();

        @Override
        public void onTaskEnd(org.apache.spark.scheduler.SparkListenerTaskEnd end) {
            if (end.taskMetrics() != null) {
                nanos.addAndGet(end.taskMetrics().executorCpuTime());
            }
        }

        void reset() {
            nanos.set(0);
        }

        long nanos() {
            return nanos.get();
        }
    }

    private static Path makeCorpus(Path dir, int copies) throws Exception {
        File[] files = TestData.mobyDick().listFiles();
        Arrays.sort(files);
        for (int c = 0; c < copies; c++) {
            Path copy = Files.createDirectories(dir.resolve(String.format("copy-%03d", c)));
            for (File file : files) {
                Files.copy(file.toPath(), copy.resolve(file.getName()));
            }
        }
        return dir;
    }

    private static List<String> lines(Path corpus) throws Exception {
        List<String> lines = new ArrayList<>();
        try (java.util.stream.Stream<Path> files = Files.walk(corpus)) {
            for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    if (!line.trim().isEmpty()) {
                        lines.add(line);
                    }
                }
            }
        }
        return lines;
    }

    private static long bytes(Path corpus) throws Exception {
        try (java.util.stream.Stream<Path> files = Files.walk(corpus)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static String format(List<Double> values) {
        List<String> out = new ArrayList<>();
        for (double v : values) {
            out.add(String.format("%,.0f", v));
        }
        return String.join(", ", out);
    }

    static int intArg(String[] args, String name, int fallback) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return Integer.parseInt(args[i + 1]);
            }
        }
        return fallback;
    }

    static String stringArg(String[] args, String name, String fallback) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return fallback;
    }
}
