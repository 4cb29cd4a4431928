package org.nasbert.supernet;

import com.intel.analytics.bigdl.tensor.Tensor;
import org.nasbert.engine.BigDl;
import org.nasbert.nn.Tensors;
import org.nasbert.space.BlockPath;

/**
 * A minibatch of the teacher's boundary states, padded to its longest sequence with a 1/0 mask: block n's
 * input is boundary n, its target boundary n + 1.
 */
public final class StateBatch {
    private final Tensor<Float>[] states;
    private final Tensor<Float> mask;
    private final long tokens;

    /** {@code states[boundary][row]}: {@code lengths[row] x hidden} floats, row-major. */
    @SuppressWarnings("unchecked")
    public StateBatch(int[] lengths, float[][][] states, int hidden) {
        int rows = lengths.length;
        int seq = 1;
        long total = 0;
        for (int l : lengths) {
            seq = Math.max(seq, l);
            total += l;
        }
        this.tokens = total;
        float[] m = new float[rows * seq];
        for (int b = 0; b < rows; b++) {
            for (int t = 0; t < lengths[b]; t++) {
                m[b * seq + t] = 1;
            }
        }
        this.mask = BigDl.tensor(m, rows, seq);
        this.states = new Tensor[states.length];
        for (int n = 0; n < states.length; n++) {
            float[] data = new float[rows * seq * hidden];
            for (int b = 0; b < rows; b++) {
                System.arraycopy(states[n][b], 0, data, b * seq * hidden, states[n][b].length);
            }
            this.states[n] = BigDl.tensor(data, rows, seq, hidden);
        }
    }

    /** Block n's loss on this batch through {@code path}; with {@code backward}, its gradients accumulate. */
    public double run(SupernetBlock block, int n, BlockPath path, boolean backward) {
        return block.run(path, states[n], mask, states[n + 1], backward);
    }

    /** As {@link #run(SupernetBlock, int, BlockPath, boolean)}, the gradients scaled (0: forward only). */
    public double run(SupernetBlock block, int n, BlockPath path, double gradientScale) {
        return block.run(path, states[n], mask, states[n + 1], gradientScale);
    }

    /** Real (unpadded) tokens in the batch. */
    public long tokens() {
        return tokens;
    }

    /** The loss of the trivial block that copies its input (boundary n) to its output. */
    public double copyInputLoss(int n) {
        return SupernetBlock.meanSquaredError(states[n], states[n + 1], mask, Tensors.resize(Tensors.empty(), states[n].size()));
    }
}
