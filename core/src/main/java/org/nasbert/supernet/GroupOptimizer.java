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
