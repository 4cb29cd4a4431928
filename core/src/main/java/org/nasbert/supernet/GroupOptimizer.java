package org.nasbert.supernet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.intel.analytics.bigdl.optim.Adam;
import com.intel.analytics.bigdl.tensor.Tensor;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.nasbert.engine.BigDl;
import org.nasbert.io.Json;
import org.nasbert.io.StepCheckpoints;
import org.nasbert.teacher.checkpoint.SafeTensors;
import org.nasbert.teacher.checkpoint.WeightTensor;
import scala.Tuple2;
import scala.runtime.AbstractFunction1;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * BigDL's Adam with one optimiser state per parameter tensor, so that a candidate's moments and step count
 * move only when a path through it is trained (one Adam over the whole supernet would keep moving candidates
 * that were not picked). Adam is element-wise, so per-tensor state is per-group state.
 */
public final class GroupOptimizer implements Serializable {
    private static final long serialVersionUID = 1L;
    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private final Map<String, Adam<Float>> states = new HashMap<>();

    public GroupOptimizer(double beta1, double beta2, double epsilon) {
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
    }

    /** One Adam step with learning rate {@code lr} on the group's tensors, given their gradients. */
    public void step(String group, List<Tensor<Float>> weights, List<Tensor<Float>> gradients, double lr) {
        for (int i = 0; i < weights.size(); i++) {
            Adam<Float> adam = states.computeIfAbsent(group + "#" + i,
                    k -> new Adam<>(lr, 0.0, beta1, beta2, epsilon, BigDl.FLOAT, BigDl.NUMERIC));
            adam.learningRate_$eq(lr);
            Tensor<Float> gradient = gradients.get(i);
            adam.optimize(new AbstractFunction1<Tensor<Float>, Tuple2<Float, Tensor<Float>>>() {
                @Override
                public Tuple2<Float, Tensor<Float>> apply(Tensor<Float> x) {
                    return new Tuple2<>(0f, gradient);
                }
            }, weights.get(i));
        }
    }

    /**
     * The optimiser state for checkpoints: per tensor key, Adam's step count and its first and second moments
     * (BigDL keeps them in its state table as evalCounter, s and r).
     */
    public Map<String, Moments> export() {
        Map<String, Moments> out = new TreeMap<>();
        for (Map.Entry<String, Adam<Float>> e : states.entrySet()) {
            com.intel.analytics.bigdl.utils.Table state = e.getValue().state();
            @SuppressWarnings("unchecked") Tensor<Float> m = (Tensor<Float>) state.apply("s");
            @SuppressWarnings("unchecked") Tensor<Float> v = (Tensor<Float>) state.apply("r");
            Object counter = state.apply("evalCounter");
            out.put(e.getKey(), new Moments(((Number) counter).intValue(), m.size(), copy(m), copy(v)));
        }
        return out;
    }

    /** Restores state written by {@link #export}. */
    public void restore(Map<String, Moments> saved, double lr) {
        states.clear();
        for (Map.Entry<String, Moments> e : saved.entrySet()) {
            Adam<Float> adam = new Adam<>(lr, 0.0, beta1, beta2, epsilon, BigDl.FLOAT, BigDl.NUMERIC);
            Moments mo = e.getValue();
            adam.state().update("evalCounter", mo.steps);
            adam.state().update("s", BigDl.tensor(mo.first.clone(), mo.shape));
            adam.state().update("r", BigDl.tensor(mo.second.clone(), mo.shape));
            adam.state().update("denom", BigDl.tensor(new float[mo.first.length], mo.shape));
            states.put(e.getKey(), adam);
        }
    }

    private static float[] copy(Tensor<Float> t) {
        Tensor<Float> d = org.nasbert.nn.Tensors.dense(t);
        float[] out = new float[d.nElement()];
        System.arraycopy(org.nasbert.nn.Tensors.data(d), org.nasbert.nn.Tensors.offset(d), out, 0, out.length);
        return out;
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
