package org.nasbert.supernet;

import com.intel.analytics.bigdl.optim.Adam;
import com.intel.analytics.bigdl.tensor.Tensor;
import org.nasbert.engine.BigDl;
import scala.Tuple2;
import scala.runtime.AbstractFunction1;

import java.io.Serializable;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
        Map<String, Moments> out = new java.util.TreeMap<>();
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
