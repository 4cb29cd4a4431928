package org.nasbert.nn;

import com.intel.analytics.bigdl.nn.abstractnn.TensorModule;
import com.intel.analytics.bigdl.tensor.Tensor;
import org.nasbert.engine.BigDl;

/**
 * BERT's exact GELU, {@code x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2))} (not the tanh approximation, which
 * differs by up to 1e-3 and would break parity with the checkpoints' own engines).
 */
public final class Gelu extends TensorModule<Float> {
    private static final float INV_SQRT2 = (float) (1 / Math.sqrt(2));
    private static final float INV_SQRT_2PI = (float) (1 / Math.sqrt(2 * Math.PI));

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

    private static final int CHUNK = 2048;

    /**
     * {@code y[i] = gelu(x[i])} for n elements; usable in place. Works through a local buffer: with the
     * arrays' offsets unknown the JIT cannot rule out overlap and would not vectorise a direct loop.
     */
    public static void apply(float[] x, int xOffset, float[] y, int yOffset, int n) {
        float[] buffer = new float[Math.min(CHUNK, n)];
        for (int start = 0; start < n; start += CHUNK) {
            int len = Math.min(CHUNK, n - start);
            System.arraycopy(x, xOffset + start, buffer, 0, len);
            for (int i = 0; i < len; i++) {
                float v = buffer[i];
                buffer[i] = 0.5f * v * (1f + FastMath.erf(v * INV_SQRT2));
            }
            System.arraycopy(buffer, 0, y, yOffset + start, len);
        }
    }

    @Override
    public Tensor<Float> updateGradInput(Tensor<Float> input, Tensor<Float> gradOutput) {
        Tensor<Float> x = Tensors.dense(input);
        Tensor<Float> dy = Tensors.dense(gradOutput);
        Tensors.resize(gradInput(), x.size());
        derivative(Tensors.data(x), Tensors.offset(x), Tensors.data(dy), Tensors.offset(dy),
                Tensors.data(gradInput()), Tensors.offset(gradInput()), x.nElement());
        return gradInput();
    }

    /**
     * {@code dx = dy * (Phi(x) + x phi(x))} through local buffers (so the loops vectorise), with the Gaussian
     * density's exponentials from MKL's vector exp.
     */
    private static void derivative(float[] x, int xo, float[] dy, int dyo, float[] dx, int dxo, int n) {
        int size = Math.min(CHUNK, n);
        float[] v = new float[size];
        float[] e = new float[size];
        for (int start = 0; start < n; start += CHUNK) {
            int len = Math.min(CHUNK, n - start);
            System.arraycopy(x, xo + start, v, 0, len);
            for (int i = 0; i < len; i++) {
                e[i] = -0.5f * v[i] * v[i];
            }
            Vml.exp(e, 0, len);
            for (int i = 0; i < len; i++) {
                float xi = v[i];
                e[i] = 0.5f * (1f + FastMath.erf(xi * INV_SQRT2)) + xi * INV_SQRT_2PI * e[i];
            }
            System.arraycopy(dy, dyo + start, v, 0, len);
            for (int i = 0; i < len; i++) {
                v[i] *= e[i];
            }
            System.arraycopy(v, 0, dx, dxo + start, len);
        }
    }
}
