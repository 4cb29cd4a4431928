package org.nasbert.finetune;

import com.intel.analytics.bigdl.tensor.Tensor;
import org.nasbert.engine.BigDl;
import org.nasbert.nn.Dense;
import org.nasbert.nn.Tensors;

import java.util.Random;

/**
 * The task's output layer: the mean of the encoder's states over real tokens (students distilled on every token's
 * state, and sentence-embedding teachers such as MiniLM, carry the sentence in the mean rather than in [CLS]), then
 * one linear map to the class logits (or to the one regression output).
 */
public final class TaskHead {
    private final Dense dense;
    private Tensor<Float> pooled;
    private int[] lengths;
    private int seq;

    public TaskHead(int width, int outputs, Random random) {
        this(new Dense(width, outputs, random));
    }

    public TaskHead(Dense dense) {
        this.dense = dense;
    }

    public Dense dense() {
        return dense;
    }

    public int outputs() {
        return dense.outputSize();
    }

    /** Logits [batch, outputs] of hidden states [batch, length, width] whose first {@code lengths[b]} tokens are real. */
    public Tensor<Float> forward(Tensor<Float> hidden, int[] lengths) {
        Tensor<Float> h = Tensors.dense(hidden);
        int batch = h.size(1);
        this.seq = h.size(2);
        int width = h.size(3);
        this.lengths = lengths.clone();
        float[] x = Tensors.data(h);
        int base = Tensors.offset(h);
        float[] p = new float[batch * width];
        for (int b = 0; b < batch; b++) {
            double[] sum = new double[width];
            for (int t = 0; t < lengths[b]; t++) {
                int at = base + (b * seq + t) * width;
                for (int w = 0; w < width; w++) {
                    sum[w] += x[at + w];
                }
            }
            for (int w = 0; w < width; w++) {
                p[b * width + w] = (float) (sum[w] / lengths[b]);
            }
        }
        pooled = BigDl.tensor(p, batch, width);
        return dense.forward(pooled);
    }

    /** Accumulates the linear map's gradients and returns the gradient for the hidden states, [batch, length, width]. */
    public Tensor<Float> backward(Tensor<Float> gradLogits) {
        Tensor<Float> dPooled = Tensors.dense(dense.backward(pooled, gradLogits));
        int batch = dPooled.size(1);
        int width = dPooled.size(2);
        float[] d = Tensors.data(dPooled);
        int base = Tensors.offset(dPooled);
        float[] out = new float[batch * seq * width];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < lengths[b]; t++) {
                for (int w = 0; w < width; w++) {
                    out[(b * seq + t) * width + w] = d[base + b * width + w] / lengths[b];
                }
            }
        }
        return BigDl.tensor(out, batch, seq, width);
    }
}
