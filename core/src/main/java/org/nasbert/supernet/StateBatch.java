package org.nasbert.supernet;

import com.intel.analytics.bigdl.tensor.Tensor;
import org.nasbert.engine.BigDl;
import org.nasbert.nn.Tensors;
import org.nasbert.space.BlockPath;

import java.util.ArrayList;
import java.util.List;

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

    /**
     * The loss of consecutive blocks' paths chained from boundary {@code first}, the last output against the
     * teacher's state k boundaries on (MSE per element over real tokens). From boundary 0 (the teacher's
     * embeddings) through every block it is a whole student's loss against the teacher's last hidden state;
     * one path is that block's loss.
     */
    public double chainedLoss(SupernetBlock[] blocks, BlockChain chain) {
        Tensor<Float> h = states[chain.first];
        for (int k = 0; k < chain.paths.size(); k++) {
            h = blocks[chain.first + k].forward(chain.paths.get(k), h, mask);
        }
        return lossAgainst(h, chain.end());
    }

    /**
     * {@link #chainedLoss} of many chains, each prefix they share with the chain before it computed once: sorted by
     * {@link BlockChain#sortKey()}, the students of one search share most of their first blocks.
     */
    public double[] chainedLosses(SupernetBlock[] blocks, List<BlockChain> chains) {
        double[] out = new double[chains.size()];
        List<Tensor<Float>> outputs = new ArrayList<>();
        BlockChain previous = null;
        for (int i = 0; i < chains.size(); i++) {
            BlockChain chain = chains.get(i);
            int common = 0;
            if (previous != null && previous.first == chain.first) {
                while (common < outputs.size() && common < chain.paths.size()
                        && previous.paths.get(common).equals(chain.paths.get(common))) {
                    common++;
                }
            }
            outputs.subList(common, outputs.size()).clear();
            for (int k = common; k < chain.paths.size(); k++) {
                Tensor<Float> in = k == 0 ? states[chain.first] : outputs.get(k - 1);
                outputs.add(blocks[chain.first + k].forward(chain.paths.get(k), in, mask));
            }
            out[i] = lossAgainst(outputs.get(chain.paths.size() - 1), chain.end());
            previous = chain;
        }
        return out;
    }

    /** MSE per element over real tokens between {@code output} and the teacher's state at {@code boundary}. */
    private double lossAgainst(Tensor<Float> output, int boundary) {
        return SupernetBlock.meanSquaredError(output, states[boundary], mask, Tensors.resize(Tensors.empty(), output.size()));
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
