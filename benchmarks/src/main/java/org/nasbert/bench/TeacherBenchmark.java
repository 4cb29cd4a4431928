package org.nasbert.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.intel.analytics.bigdl.mkl.MKL;
import org.apache.hadoop.conf.Configuration;
import org.nasbert.engine.BigDl;
import org.nasbert.teacher.BertModel;
import org.nasbert.teacher.BertWeights;
import org.nasbert.teacher.TeacherCheckpoint;
import org.nasbert.testing.TestData;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The teacher's forward throughput (sequences/s) in the project's BigDL layers beside ONNX Runtime running the
 * same ONNX file, same batch, sequence length and threads, in one JVM run, runs interleaved. Ours runs as the
 * teacher stage does: the batch split over T threads, one model per thread, one MKL thread each; ONNX
 * Runtime gets T intra-op threads. Random full-length sequences (no padding).
 */
final class TeacherBenchmark {
    private TeacherBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int batch = TokenizeBenchmark.intArg(args, "--batch", 32);
        int seq = TokenizeBenchmark.intArg(args, "--seq", 128);
        int threads = TokenizeBenchmark.intArg(args, "--threads", Runtime.getRuntime().availableProcessors());
        int runs = TokenizeBenchmark.intArg(args, "--runs", 5);
        BertWeights weights = TeacherCheckpoint.open(TestData.MINILM_MODEL, new Configuration()).weights();
        int[][] ids = new int[batch][seq];
        Random random = new Random(1);
        for (int[] row : ids) {
            for (int t = 0; t < seq; t++) {
                row[t] = 1000 + random.nextInt(29000);
            }
        }
        System.out.printf("teacher benchmark: all-MiniLM-L6-v2, batch %d x %d tokens, %d threads, %d runs after a warm-up; "
                        + "MKL loaded: %s; %s %s, %d cores%n", batch, seq, threads, runs, BigDl.mklLoaded(),
                System.getProperty("java.vm.name"), System.getProperty("java.version"), Runtime.getRuntime().availableProcessors());

        Ours ours = new Ours(weights, threads);
        Ort ort = new Ort(threads);
        ours.run(ids);
        ort.run(ids);
        List<Double> a = new ArrayList<>();
        List<Double> b = new ArrayList<>();
        List<Double> ratio = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            double x = batch / ours.run(ids);
            double y = batch / ort.run(ids);
            a.add(x);
            b.add(y);
            ratio.add(x / y);
            System.out.printf("  run %d: BigDL layers %.1f seq/s, ONNX Runtime %.1f seq/s, ratio %.2f%n", r + 1, x, y, x / y);
        }
        System.out.printf("median: BigDL layers %.1f seq/s, ONNX Runtime %.1f seq/s, ratio %.2f (goal >= 0.70)%n",
                TokenizeBenchmark.median(a), TokenizeBenchmark.median(b), TokenizeBenchmark.median(ratio));
        ours.close();
        ort.close();
    }

    /** The project's model, the batch split over threads. */
    private static final class Ours {
        private final ExecutorService pool;
        private final List<BertModel> models = new ArrayList<>();
        private final int threads;

        Ours(BertWeights weights, int threads) throws Exception {
            this.threads = threads;
            this.pool = Executors.newFixedThreadPool(threads);
            for (int i = 0; i < threads; i++) {
                models.add(new BertModel(weights));
            }
            MKL.setNumThreads(1);
        }

        double run(int[][] ids) throws Exception {
            long start = System.nanoTime();
            List<Future<?>> parts = new ArrayList<>();
            int per = (ids.length + threads - 1) / threads;
            for (int i = 0; i < threads; i++) {
                int from = Math.min(ids.length, i * per);
                int to = Math.min(ids.length, from + per);
                BertModel model = models.get(i);
                parts.add(pool.submit(() -> {
                    MKL.setNumThreads(1);
                    int[][] part = java.util.Arrays.copyOfRange(ids, from, to);
                    int[] lengths = new int[part.length];
                    java.util.Arrays.fill(lengths, ids[0].length);
                    if (part.length > 0) {
                        model.forward(part, null, lengths, Integer.MAX_VALUE, false);
                    }
                    return null;
                }));
            }
            for (Future<?> f : parts) {
                f.get();
            }
            return (System.nanoTime() - start) / 1e9;
        }

        void close() {
            pool.shutdown();
        }
    }

    private static final class Ort {
        private final OrtEnvironment env = OrtEnvironment.getEnvironment();
        private final OrtSession session;

        Ort(int threads) throws Exception {
            OrtSession.SessionOptions options = new OrtSession.SessionOptions();
            options.setIntraOpNumThreads(threads);
            options.setInterOpNumThreads(1);
            session = env.createSession(TestData.minilmOnnxBytes(), options);
        }

        double run(int[][] ids) throws Exception {
            long[][] input = new long[ids.length][ids[0].length];
            long[][] mask = new long[ids.length][ids[0].length];
            for (int b = 0; b < ids.length; b++) {
                for (int t = 0; t < ids[b].length; t++) {
                    input[b][t] = ids[b][t];
                    mask[b][t] = 1;
                }
            }
            Map<String, OnnxTensor> inputs = new HashMap<>();
            inputs.put("input_ids", OnnxTensor.createTensor(env, input));
            inputs.put("attention_mask", OnnxTensor.createTensor(env, mask));
            inputs.put("token_type_ids", OnnxTensor.createTensor(env, new long[ids.length][ids[0].length]));
            long start = System.nanoTime();
            try (OrtSession.Result ignored = session.run(inputs)) {
                return (System.nanoTime() - start) / 1e9;
            } finally {
                for (OnnxTensor t : inputs.values()) {
                    t.close();
                }
            }
        }

        void close() throws Exception {
            session.close();
        }
    }
}
