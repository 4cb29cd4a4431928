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
 * several runs after a warm-up.
 */
final class TokenizeBenchmark {
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

        raw(tokenizer, lines, 1);
        List<Double> raw1 = new ArrayList<>();
        List<Double> rawT = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            raw1.add(raw(tokenizer, lines, 1));
            rawT.add(raw(tokenizer, lines, threads));
        }

        SparkSession spark = SparkSessions.start(SparkSessions.conf("nasbert bench tokenize", "local[" + threads + "]")
                .set("spark.ui.enabled", "false"));
        List<Double> job = new ArrayList<>();
        try {
            for (int r = 0; r <= runs; r++) {
                Settings settings = Settings.defaults()
                        .with("run.dir", work.resolve("run").toString(), "bench")
                        .with("tokenize.input", corpus.toString(), "bench");
                StageResult result = StageRunner.run(new TokenizeStage(), settings, spark, true);
                double rate = result.manifest.path("counts").path("tokens").asLong() / result.seconds;
                if (r > 0) {
                    job.add(rate);
                }
                System.out.printf("  job run %d%s: %.2f s, %,.0f tokens/s%n", r, r == 0 ? " (warm-up)" : "", result.seconds, rate);
            }
        } finally {
            spark.stop();
        }
        System.out.printf("raw tokenizer, 1 thread:   %,12.0f tokens/s  (runs %s)%n", median(raw1), format(raw1));
        System.out.printf("raw tokenizer, %d threads:  %,12.0f tokens/s  (runs %s)%n", threads, median(rawT), format(rawT));
        System.out.printf("tokenize job, local[%d]:   %,12.0f tokens/s  (runs %s)%n", threads, median(job), format(job));
        System.out.printf("job / raw on %d threads:   %.2f   (goal >= 0.70)%n", threads, median(job) / median(rawT));
    }

    /** Tokens per second of the bare tokenizer over every line, split among {@code threads}. */
    static double raw(WordPieceTokenizer tokenizer, List<String> lines, int threads) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            long start = System.nanoTime();
            List<Future<Long>> parts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int offset = t;
                parts.add(pool.submit(() -> {
                    IntList ids = new IntList(512);
                    long tokens = 0;
                    for (int i = offset; i < lines.size(); i += threads) {
                        ids.clear();
                        String line = lines.get(i);
                        tokens += tokenizer.encode(line, 0, line.length(), ids);
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
