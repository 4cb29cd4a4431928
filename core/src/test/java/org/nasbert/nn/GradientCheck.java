package org.nasbert.nn;

import com.intel.analytics.bigdl.nn.abstractnn.AbstractModule;
import com.intel.analytics.bigdl.nn.abstractnn.Activity;
import com.intel.analytics.bigdl.tensor.Tensor;
import com.intel.analytics.bigdl.utils.Table;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Finite-difference check of a module's backward pass: with the loss {@code L = sum(output .* R)} for a
 * fixed random R, the analytic gradients (backward with gradOutput R) must match central differences of
 * L, computed in double from the module's own forward, for sampled input elements and weights.
 */
final class GradientCheck {
    private static final double STEP = 1e-2;

    private GradientCheck() {
    }

    static <A extends Activity> void check(AbstractModule<A, Tensor<Float>, Float> module, A input, Tensor<Float> perturbable,
                                           int samples, long seed) {
        Random random = new Random(seed);
        Tensor<Float> out = module.forward(input);
        float[] r = new float[out.nElement()];
        for (int i = 0; i < r.length; i++) {
            r[i] = (float) random.nextGaussian();
        }
        Tensor<Float> gradOutput = Tensors.resize(Tensors.empty(), out.size());
        System.arraycopy(r, 0, Tensors.data(gradOutput), Tensors.offset(gradOutput), r.length);
        module.zeroGradParameters();
        Activity gradInput = module.backward(input, gradOutput);
        Tensor<Float> analyticInput = gradInput instanceof Table ? Tensors.tensorAt((Table) gradInput, 1) : (Tensor<Float>) gradInput;
        float[] inputGrad = copy(analyticInput);
        if (perturbable != null) {
            compare(module, input, r, perturbable, inputGrad, "input", samples, random);
        }
        if (module.parameters() == null) {
            return;
        }
        Tensor<Float>[] weights = module.parameters()._1();
        Tensor<Float>[] grads = module.parameters()._2();
        for (int p = 0; p < weights.length; p++) {
            compare(module, input, r, weights[p], copy(grads[p]), "parameter " + p, samples, random);
        }
    }

    private static <A extends Activity> void compare(AbstractModule<A, Tensor<Float>, Float> module, A input, float[] r,
                                                     Tensor<Float> target, float[] analytic, String what, int samples,
                                                     Random random) {
        float[] data = Tensors.data(target);
        int offset = Tensors.offset(target);
        for (int s = 0; s < samples; s++) {
            int i = random.nextInt(target.nElement());
            float saved = data[offset + i];
            data[offset + i] = (float) (saved + STEP);
            double plus = loss(module.forward(input), r);
            data[offset + i] = (float) (saved - STEP);
            double minus = loss(module.forward(input), r);
            data[offset + i] = saved;
            double numeric = (plus - minus) / (2 * STEP);
            double error = Math.abs(numeric - analytic[i]);
            assertTrue(error <= 2e-2 * Math.max(1, Math.abs(numeric)),
                    module.getClass().getSimpleName() + " " + what + "[" + i + "]: analytic " + analytic[i] + ", numeric " + numeric);
        }
    }

    private static double loss(Tensor<Float> out, float[] r) {
        float[] d = Tensors.data(out);
        int o = Tensors.offset(out);
        double sum = 0;
        for (int i = 0; i < r.length; i++) {
            sum += (double) d[o + i] * r[i];
        }
        return sum;
    }

    private static float[] copy(Tensor<Float> t) {
        Tensor<Float> dense = Tensors.dense(t);
        float[] out = new float[t.nElement()];
        System.arraycopy(Tensors.data(dense), Tensors.offset(dense), out, 0, out.length);
        return out;
    }

    static Tensor<Float> random(Random random, float scale, int... shape) {
        return Init.normal(random, scale, shape);
    }
}
