package org.nasbert.supernet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.intel.analytics.bigdl.tensor.Tensor;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.nasbert.io.Json;
import org.nasbert.io.StepCheckpoints;
import org.nasbert.teacher.checkpoint.SafeTensors;
import org.nasbert.teacher.checkpoint.WeightTensor;

import java.io.IOException;
import java.io.Serializable;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Adam with one optimiser state per parameter tensor, so that a candidate's moments and step count move only when a
 * path through it is trained (one Adam over the whole supernet would keep moving candidates that were not picked).
 * Adam is element-wise, so per-tensor state is per-group state. The update is BigDL 0.13's Adam (its order of float
 * operations; {@code GroupOptimizerTest} holds it to BigDL's results) in one pass over each tensor where BigDL makes
 * nine, each a JNI call into MKL, and keeps a third buffer. Plain Java arithmetic: the same bits on every CPU.
 */
public final class GroupOptimizer implements Serializable {
    private static final long serialVersionUID = 2L;
    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private final Map<String, Moments> states = new HashMap<>();

    public GroupOptimizer(double beta1, double beta2, double epsilon) {
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
    }

    /** One Adam step with learning rate {@code lr} on the group's tensors, given their gradients. */
    public void step(String group, List<Tensor<Float>> weights, List<Tensor<Float>> gradients, double lr) {
        for (int i = 0; i < weights.size(); i++) {
            Tensor<Float> weight = weights.get(i);
            if (!weight.isContiguous()) {
                throw new IllegalArgumentException(group + "#" + i + ": Adam updates contiguous weights in place");
            }
            Moments state = states.computeIfAbsent(group + "#" + i,
                    k -> new Moments(0, weight.size(), new float[weight.nElement()], new float[weight.nElement()]));
            Tensor<Float> gradient = org.nasbert.nn.Tensors.dense(gradients.get(i));
            if (gradient.nElement() != state.first.length || weight.nElement() != state.first.length) {
                throw new IllegalArgumentException(group + "#" + i + ": " + weight.nElement() + " weights, " + gradient.nElement()
                        + " gradients, " + state.first.length + " moments");
            }
            states.put(group + "#" + i, update(state, org.nasbert.nn.Tensors.data(weight), org.nasbert.nn.Tensors.offset(weight),
                    org.nasbert.nn.Tensors.data(gradient), org.nasbert.nn.Tensors.offset(gradient), lr));
        }
    }

    /**
     * BigDL's sequence: {@code m = m * b1 + (1 - b1) g; v = v * b2 + (1 - b2) g^2; d = sqrt(v) + eps;
     * w += (m / d) * -(lr sqrt(1 - b2^t) / (1 - b1^t))}, each {@code x + c y} rounded once as MKL's saxpy does it with FMA.
     */
    private Moments update(Moments state, float[] w, int wo, float[] g, int go, double lr) {
        int t = state.steps + 1;
        float step = (float) -(lr * Math.sqrt(1 - Math.pow(beta2, t)) / (1 - Math.pow(beta1, t)));
        float[] m = state.first;
        float[] v = state.second;
        float[] k = {(float) beta1, (float) (1 - beta1), (float) beta2, (float) (1 - beta2), (float) epsilon, step};
        // offsets would keep the JIT from vectorising (it could not rule out overlap with the moments): copies instead
        float[] weights = wo == 0 ? w : Arrays.copyOfRange(w, wo, wo + m.length);
        float[] gradients = go == 0 ? g : Arrays.copyOfRange(g, go, go + m.length);
        adam(m, v, weights, gradients, k, FMA);
        if (weights != w) {
            System.arraycopy(weights, 0, w, wo, m.length);
        }
        return new Moments(t, state.shape, m, v);
    }

    /**
     * The loop, on 0-based arrays of the moments' length; {@code k} = b1, 1 - b1, b2, 1 - b2, eps, the step. With
     * {@code fma} (Java 9+) each product-and-sum is one Math.fma, which the JIT vectorises; without it (Java 8) the
     * float product is exact in double, so the sum rounds once but for rare double roundings (and is not vectorised).
     */
    static void adam(float[] m, float[] v, float[] w, float[] g, float[] k, MethodHandle fma) {
        if (fma == null) {
            for (int i = 0; i < m.length; i++) {
                float gi = g[i];
                m[i] = (float) ((double) k[1] * gi + m[i] * k[0]);
                v[i] = (float) ((double) k[3] * (gi * gi) + v[i] * k[2]);
                w[i] += m[i] / ((float) Math.sqrt(v[i]) + k[4]) * k[5];
            }
            return;
        }
        try {
            fmaLoop(m, v, w, g, k[0], k[1], k[2], k[3], k[4], k[5]);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    private static void fmaLoop(float[] m, float[] v, float[] w, float[] g, float b1, float c1, float b2, float c2, float eps,
                                float step) throws Throwable {
        for (int i = 0; i < m.length; i++) {
            float gi = g[i];
            m[i] = (float) FMA.invokeExact(c1, gi, m[i] * b1);
            v[i] = (float) FMA.invokeExact(c2, gi * gi, v[i] * b2);
            w[i] += m[i] / ((float) Math.sqrt(v[i]) + eps) * step;
        }
    }

    /** {@code Math.fma(float, float, float)} on Java 9 and later (the code is Java 8 bytecode), else null. */
    static final MethodHandle FMA = fma();

    private static MethodHandle fma() {
        try {
            return MethodHandles.lookup().findStatic(Math.class, "fma", MethodType.methodType(float.class, float.class, float.class, float.class));
        } catch (ReflectiveOperationException java8) {
            return null;
        }
    }

    /** The optimiser state for checkpoints: per tensor key, its step count and its first and second moments. */
    public Map<String, Moments> export() {
        Map<String, Moments> out = new TreeMap<>();
        for (Map.Entry<String, Moments> e : states.entrySet()) {
            Moments m = e.getValue();
            out.put(e.getKey(), new Moments(m.steps, m.shape, m.first.clone(), m.second.clone()));
        }
        return out;
    }

    /** Restores state written by {@link #export} (the learning rate comes with each step). */
    public void restore(Map<String, Moments> saved) {
        states.clear();
        for (Map.Entry<String, Moments> e : saved.entrySet()) {
            Moments m = e.getValue();
            states.put(e.getKey(), new Moments(m.steps, m.shape, m.first.clone(), m.second.clone()));
        }
    }

    /** One tensor's Adam state. */
    public static final class Moments implements Serializable {
        private static final long serialVersionUID = 1L;
        public final int steps;
        public final int[] shape;
        public final float[] first;
        public final float[] second;

        public Moments(int steps, int[] shape, float[] first, float[] second) {
            this.steps = steps;
            this.shape = shape.clone();
            this.first = first;
            this.second = second;
        }
    }

    /**
     * Writes moments (keys as given) to {@code dir}: {@code optimizer.safetensors} holds each key's first and second
     * moment ({@code <key>/m}, {@code <key>/v}), {@code optimizer.json} its step count and shape.
     */
    public static void writeMoments(FileSystem fs, Path dir, Map<String, Moments> moments)
            throws IOException {
        List<WeightTensor> tensors = new ArrayList<>();
        ObjectNode meta = Json.MAPPER.createObjectNode();
        for (Map.Entry<String, Moments> e : moments.entrySet()) {
            Moments m = e.getValue();
            tensors.add(new WeightTensor(e.getKey() + "/m", new int[]{m.first.length}, m.first));
            tensors.add(new WeightTensor(e.getKey() + "/v", new int[]{m.second.length}, m.second));
            ObjectNode entry = meta.putObject(e.getKey());
            entry.put("steps", m.steps);
            for (int d : m.shape) {
                entry.withArray("shape").add(d);
            }
        }
        try (FSDataOutputStream out = fs.create(new Path(dir, "optimizer.safetensors"))) {
            SafeTensors.write(tensors, null, false, out);
        }
        StepCheckpoints.writeJson(fs, new Path(dir, "optimizer.json"), meta);
    }

    /** Reads what {@link #writeMoments} wrote, by key. */
    public static Map<String, Moments> readMoments(FileSystem fs, Path dir)
            throws IOException {
        Path file = new Path(dir, "optimizer.safetensors");
        Map<String, WeightTensor> tensors = SafeTensors.read(fs, file);
        JsonNode meta = StepCheckpoints.readJson(fs, new Path(dir, "optimizer.json"));
        Map<String, Moments> out = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = meta.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode shapeNode = e.getValue().path("shape");
            int[] shape = new int[shapeNode.size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = shapeNode.get(i).asInt();
            }
            WeightTensor m = tensors.get(e.getKey() + "/m");
            WeightTensor v = tensors.get(e.getKey() + "/v");
            if (m == null || v == null) {
                throw new IOException(file + " lacks the moments of " + e.getKey());
            }
            out.put(e.getKey(), new Moments(e.getValue().path("steps").asInt(), shape, m.data(), v.data()));
        }
        return out;
    }

    /** Number of tensors with optimiser state (those that were ever updated). */
    public int stateCount() {
        return states.size();
    }

    /** Warm-up then linear decay to zero: the BERT schedule. */
    public static double learningRate(double peak, long step, long warmup, long total) {
        if (step < warmup) {
            return peak * (step + 1) / warmup;
        }
        return peak * Math.max(0.0, (double) (total - step) / Math.max(1, total - warmup));
    }
}
