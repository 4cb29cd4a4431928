package org.nasbert.nn;

import com.intel.analytics.bigdl.tensor.Tensor;
import com.intel.analytics.bigdl.utils.Table;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * NAS-BERT's separable 1-D convolution over the sequence: a depthwise convolution (kernel k, one filter per
 * channel, "same" zero padding) then a pointwise (1 x 1) projection and GELU. Input: table of hidden states
 * [batch, seq, h] and the padding mask [batch, seq]; padded positions are zeroed before the convolution so
 * they never leak into real ones. Weights: depthwise [h, k] + [h], pointwise [h, h] + [h].
 */
public final class SeparableConv1d extends Parameterized<Table> {
    private final int hidden;
    private final int kernel;
    private final Tensor<Float> depthwise;
    private final Tensor<Float> depthwiseBias;
    private final Dense pointwise;
    private final Gelu gelu = new Gelu();
    private final Tensor<Float> masked = Tensors.empty();
    private final Tensor<Float> convolved = Tensors.empty();
    private final Tensor<Float> gradConvolved = Tensors.empty();
    private final Tensor<Float> gradMask = Tensors.empty();
    /** The input's gradient, kept between steps (not a fresh tensor each backward pass). */
    private final Tensor<Float> gradX = Tensors.empty();
    private List<Tensor<Float>> gradDepthwise;

    public SeparableConv1d(int hidden, int kernel, Random random) {
        super(Table.class);
        if (kernel < 1 || kernel % 2 == 0) {
            throw new IllegalArgumentException("kernel " + kernel + " must be odd");
        }
        this.hidden = hidden;
        this.kernel = kernel;
        this.depthwise = Init.normal(random, 0.02f, hidden, kernel);
        this.depthwiseBias = Tensors.zeros(hidden);
        this.pointwise = new Dense(hidden, hidden, random);
    }

    @Override
    public Tensor<Float> updateOutput(Table input) {
        Tensor<Float> x = Tensors.dense(Tensors.tensorAt(input, 1));
        Tensor<Float> mask = Tensors.dense(Tensors.tensorAt(input, 2));
        int batch = x.size(1);
        int seq = x.size(2);
        Tensors.resize(masked, batch, seq, hidden);
        float[] xs = Tensors.data(x);
        float[] ms = Tensors.data(masked);
        float[] mk = Tensors.data(mask);
        for (int r = 0; r < batch * seq; r++) {
            float m = mk[Tensors.offset(mask) + r];
            for (int c = 0; c < hidden; c++) {
                ms[r * hidden + c] = xs[Tensors.offset(x) + r * hidden + c] * m;
            }
        }
        Tensors.resize(convolved, batch, seq, hidden);
        float[] out = Tensors.data(convolved);
        float[] w = Tensors.data(depthwise);
        float[] bias = Tensors.data(depthwiseBias);
        int half = kernel / 2;
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < seq; t++) {
                int row = (b * seq + t) * hidden;
                System.arraycopy(bias, Tensors.offset(depthwiseBias), out, row, hidden);
                for (int j = 0; j < kernel; j++) {
                    int source = t + j - half;
                    if (source < 0 || source >= seq) {
                        continue;
                    }
                    int from = (b * seq + source) * hidden;
                    for (int c = 0; c < hidden; c++) {
                        out[row + c] += w[Tensors.offset(depthwise) + c * kernel + j] * ms[from + c];
                    }
                }
            }
        }
        output_$eq(gelu.forward(pointwise.forward(convolved)));
        return output();
    }

    @Override
    public Table updateGradInput(Table input, Tensor<Float> gradOutput) {
        Tensor<Float> mask = Tensors.dense(Tensors.tensorAt(input, 2));
        Tensor<Float> dPointwise = gelu.updateGradInput(pointwise.output(), gradOutput);
        Tensor<Float> dConv = pointwise.updateGradInput(convolved, dPointwise);
        Tensors.resize(gradConvolved, dConv.size()).copy(dConv);
        int batch = masked.size(1);
        int seq = masked.size(2);
        Tensor<Float> dx = Tensors.resize(gradX, batch, seq, hidden).zero();
        float[] d = Tensors.data(gradConvolved);
        float[] out = Tensors.data(dx);
        float[] w = Tensors.data(depthwise);
        int half = kernel / 2;
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < seq; t++) {
                int row = (b * seq + t) * hidden;
                for (int j = 0; j < kernel; j++) {
                    int source = t + j - half;
                    if (source < 0 || source >= seq) {
                        continue;
                    }
                    int to = (b * seq + source) * hidden;
                    for (int c = 0; c < hidden; c++) {
                        out[to + c] += w[Tensors.offset(depthwise) + c * kernel + j] * d[row + c];
                    }
                }
            }
        }
        float[] mk = Tensors.data(mask);
        for (int r = 0; r < batch * seq; r++) {
            float m = mk[Tensors.offset(mask) + r];
            for (int c = 0; c < hidden; c++) {
                out[r * hidden + c] *= m;
            }
        }
        Tensors.resize(gradMask, mask.size()).zero();
        gradInput_$eq(Tensors.table(dx, gradMask));
        return gradInput();
    }

    @Override
    public void accGradParameters(Table input, Tensor<Float> gradOutput) {
        pointwise.accGradParameters(convolved, gelu.gradInput());
        List<Tensor<Float>> grads = ownGradients();
        float[] gw = Tensors.data(grads.get(0));
        float[] gb = Tensors.data(grads.get(1));
        float[] d = Tensors.data(gradConvolved);
        float[] ms = Tensors.data(masked);
        int batch = masked.size(1);
        int seq = masked.size(2);
        int half = kernel / 2;
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < seq; t++) {
                int row = (b * seq + t) * hidden;
                for (int c = 0; c < hidden; c++) {
                    gb[c] += d[row + c];
                }
                for (int j = 0; j < kernel; j++) {
                    int source = t + j - half;
                    if (source < 0 || source >= seq) {
                        continue;
                    }
                    int from = (b * seq + source) * hidden;
                    for (int c = 0; c < hidden; c++) {
                        gw[c * kernel + j] += d[row + c] * ms[from + c];
                    }
                }
            }
        }
    }

    private List<Tensor<Float>> ownGradients() {
        if (gradDepthwise == null) {
            gradDepthwise = Arrays.asList(Tensors.zeros(hidden, kernel), Tensors.zeros(hidden));
        }
        return gradDepthwise;
    }

    @Override
    protected void releaseState() {
        release(masked, convolved, gradConvolved, gradMask, gradX);
        pointwise.clearState();
        gelu.clearState();
    }

    @Override
    protected List<Tensor<Float>> weights() {
        return concat(Arrays.asList(Arrays.asList(depthwise, depthwiseBias), pointwise.weights()));
    }

    @Override
    protected List<Tensor<Float>> gradients() {
        return concat(Arrays.asList(ownGradients(), pointwise.gradients()));
    }
}
