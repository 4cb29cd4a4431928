package org.nasbert.probe;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * Can the model layer run inside a Spark 3.5 / Scala 2.12 job? Prints, for the report: the versions on each side,
 * the loader's start-up (time, metaspace), the seam's cost per call, a train-blocks step per seed computed in
 * Spark 3.5 tasks through the seam (the script compares them with the model layer run alone), and what a second
 * loader in the same JVM does.
 * <p>Arguments: seeds, rows, sequence length.
 */
public final class Spark35Probe {
    public static void main(String[] args) throws Exception {
        int seeds = Integer.parseInt(args[0]);
        int rows = Integer.parseInt(args[1]);
        int seq = Integer.parseInt(args[2]);
        SparkSession spark = SparkSession.builder().master("local[2]").appName("nasbert spark35 probe")
                .config("spark.ui.enabled", "false").getOrCreate();
        System.out.println("spark side: Spark " + spark.version() + ", " + scala.util.Properties.versionString()
                + ", Java " + System.getProperty("java.version"));

        System.out.printf("heap after GC before the model layer: %.0f MB%n", heapAfterGc() / 1e6);
        Function<Object[], Object[]> entry = ModelLayer.entry();
        System.out.printf("loader: %.0f ms to build and instantiate the entry, metaspace +%.1f MB%n",
                ModelLayer.createdNanos / 1e6, ModelLayer.metaspaceBytes / 1e6);
        long metaspace = ModelLayer.metaspaceUsed();
        long start = System.nanoTime();
        Object[] first = entry.apply(new Object[]{0L, rows, seq});
        System.out.printf("first step in the driver (class loading, MKL): %.0f ms, metaspace +%.1f MB more%n",
                (System.nanoTime() - start) / 1e6, (ModelLayer.metaspaceUsed() - metaspace) / 1e6);
        System.out.println("model side says: " + Arrays.toString(first));
        seamCost(entry);

        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<Long> ids = new ArrayList<>();
        for (long s = 0; s < seeds; s++) {
            ids.add(s);
        }
        // one task after the other (as the model layer alone runs them), then two at a time
        for (int partitions : new int[]{1, 2}) {
            JavaRDD<String> steps = sc.parallelize(ids, partitions).map(s -> {
                Object[] out = ModelLayer.entry().apply(new Object[]{s, rows, seq});
                return "seed " + s + " loss " + out[0] + " checksum " + out[1] + " ms " + ((Long) out[2]) / 1e6 + " mkl " + out[3];
            });
            for (String line : steps.collect()) {
                System.out.println("spark " + partitions + " task" + (partitions > 1 ? "s" : "") + ": " + line);
            }
        }
        System.out.printf("heap after GC after the steps: %.0f MB; metaspace %.0f MB%n", heapAfterGc() / 1e6,
                ModelLayer.metaspaceUsed() / 1e6);
        secondLoader(rows, seq);
        spark.stop();
    }

    private static long heapAfterGc() {
        Runtime rt = Runtime.getRuntime();
        System.gc();
        System.gc();
        return rt.totalMemory() - rt.freeMemory();
    }

    /** Nanoseconds a call through the seam (context loader switch included) vs a plain lambda, empty arguments. */
    private static void seamCost(Function<Object[], Object[]> entry) {
        Function<Object[], Object[]> plain = in -> in;
        Object[] empty = new Object[0];
        for (int round = 0; round < 3; round++) {
            double seam = nanosPerCall(entry, empty);
            double direct = nanosPerCall(plain, empty);
            System.out.printf("seam call: %.1f ns; plain lambda: %.1f ns%n", seam, direct);
        }
    }

    private static double nanosPerCall(Function<Object[], Object[]> f, Object[] in) {
        int n = 5_000_000;
        long sink = 0;
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            sink += f.apply(in).length;
        }
        return (System.nanoTime() - start + sink) / (double) n;
    }

    /** A second copy of the model layer in this JVM, as per-task or per-application loaders would make. */
    private static void secondLoader(int rows, int seq) {
        try {
            Function<Object[], Object[]> second = ModelLayer.newEntry(ModelLayer.isolatedLoader(System.getProperty("nasbert.model.classpath")));
            System.out.println("second loader: " + Arrays.toString(second.apply(new Object[]{0L, rows, seq})));
        } catch (Throwable t) {
            Throwable root = t;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            System.out.println("second loader: " + t + (root != t ? " <- " + root : ""));
        }
    }
}
