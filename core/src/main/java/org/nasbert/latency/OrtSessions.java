package org.nasbert.latency;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * ONNX Runtime sessions as the latency meter times them: intra-op threads as asked, one inter-op thread, sequential
 * execution, all graph optimisations, no spinning; each with random inputs of the table's batch and length, made once.
 */
final class OrtSessions {
    private final int batch;
    private final int seq;
    private final int threads;
    private final int vocab;

    OrtSessions(int batch, int seq, int threads, int vocab) {
        this.batch = batch;
        this.seq = seq;
        this.threads = threads;
        this.vocab = vocab;
    }

    OrtSession.SessionOptions options() throws OrtException {
        OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        o.setIntraOpNumThreads(threads);
        o.setInterOpNumThreads(1);
        o.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
        o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        o.addConfigEntry("session.intra_op.allow_spinning", "0");
        return o;
    }

    String description() {
        return "one session per part; intra-op threads " + threads + ", inter-op 1, sequential, all optimisations, no spinning";
    }

    /** A session and its inputs made once; running it binds them, runs the graph and frees the outputs. */
    Runnable runner(OrtEnvironment env, OrtSession session, List<AutoCloseable> open) throws OrtException {
        open.add(session);
        Map<String, OnnxTensor> inputs = new LinkedHashMap<>();
        Random random = new Random(11);
        for (String name : session.getInputNames()) {
            OnnxTensor t = input(env, session, name, random);
            open.add(t);
            inputs.put(name, t);
        }
        return () -> {
            try (OrtSession.Result ignored = session.run(inputs)) {
                // timing only
            } catch (OrtException e) {
                throw new IllegalStateException(e);
            }
        };
    }

    private OnnxTensor input(OrtEnvironment env, OrtSession session, String name, Random random) throws OrtException {
        long[] tokens = {batch, seq};
        switch (name) {
            case "input_ids": {
                long[] ids = new long[batch * seq];
                for (int i = 0; i < ids.length; i++) {
                    ids[i] = random.nextInt(vocab);
                }
                return OnnxTensor.createTensor(env, LongBuffer.wrap(ids), tokens);
            }
            case "attention_mask": {
                long[] ones = new long[batch * seq];
                java.util.Arrays.fill(ones, 1L);
                return OnnxTensor.createTensor(env, LongBuffer.wrap(ones), tokens);
            }
            case "token_type_ids":
                return OnnxTensor.createTensor(env, LongBuffer.wrap(new long[batch * seq]), tokens);
            case "hidden_states": {
                ai.onnxruntime.TensorInfo info = (ai.onnxruntime.TensorInfo) session.getInputInfo().get(name).getInfo();
                int width = (int) info.getShape()[2];
                float[] x = new float[batch * seq * width];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) random.nextGaussian();
                }
                return OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[]{batch, seq, width});
            }
            default:
                throw new IllegalArgumentException("a model to time has input " + name + "; expected input_ids, attention_mask, "
                        + "token_type_ids or hidden_states");
        }
    }

    /** The cheapest graph with a student's input and an output: ONNX Runtime's fixed cost of one run. */
    static byte[] identity() {
        org.nasbert.onnx.OnnxBuilder g = new org.nasbert.onnx.OnnxBuilder();
        String ids = g.input("input_ids", org.nasbert.onnx.OnnxBuilder.INT64, "batch", "sequence");
        g.alias(ids, "out");
        g.output("out", org.nasbert.onnx.OnnxBuilder.INT64, "batch", "sequence");
        return g.model("nasbert-latency-run", "nasbert-spark", org.nasbert.Version.VERSION);
    }
}
