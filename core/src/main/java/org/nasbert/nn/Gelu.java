package org.nasbert.nn;

import com.intel.analytics.bigdl.nn.abstractnn.TensorModule;
import com.intel.analytics.bigdl.tensor.Tensor;
import org.nasbert.engine.BigDl;

/**
 * BERT's exact GELU, {@code x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2))} (not the tanh approximation, which
 * differs by up to 1e-3 and would break parity with the checkpoints' own engines).
 */
public final class Gelu extends TensorModule<Float> {
    private static final double INV_SQRT2 = 1 / Math.sqrt(2);
    private static final double INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

    public Gelu() {
        super(BigDl.FLOAT, BigDl.NUMERIC);
    }

    @Override
    public Tensor<Float> updateOutput(Tensor<Float> input) {
        Tensor<Float> x = Tensors.dense(input);
        Tensors.resize(output(), x.size());
        apply(Tensors.data(x), Tensors.offset(x), Tensors.data(output()), Tensors.offset(output()), x.nElement());
        return output();
    }

    /** {@code y[i] = gelu(x[i])} for n elements; usable in place. */
    public static void apply(float[] x, int xOffset, float[] y, int yOffset, int n) {
        for (int i = 0; i < n; i++) {
            double v = x[xOffset + i];
            y[yOffset + i] = (float) (0.5 * v * (1 + erf(v * INV_SQRT2)));
        }
    }

    @Override
    public Tensor<Float> updateGradInput(Tensor<Float> input, Tensor<Float> gradOutput) {
        Tensor<Float> x = Tensors.dense(input);
        Tensor<Float> dy = Tensors.dense(gradOutput);
        Tensors.resize(gradInput(), x.size());
        float[] xs = Tensors.data(x);
        float[] dys = Tensors.data(dy);
        float[] dxs = Tensors.data(gradInput());
        int xo = Tensors.offset(x);
        int dyo = Tensors.offset(dy);
        int dxo = Tensors.offset(gradInput());
        for (int i = 0, n = x.nElement(); i < n; i++) {
            double v = xs[xo + i];
            double derivative = 0.5 * (1 + erf(v * INV_SQRT2)) + v * INV_SQRT_2PI * Math.exp(-0.5 * v * v);
            dxs[dxo + i] = (float) (dys[dyo + i] * derivative);
        }
        return gradInput();
    }

    /** erf with absolute error below 1.2e-7 (Chebyshev fit of erfc, Numerical Recipes 6.2). */
    static double erf(double x) {
        double z = Math.abs(x);
        double t = 1 / (1 + 0.5 * z);
        double erfc = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? 1 - erfc : erfc - 1;
    }
}
