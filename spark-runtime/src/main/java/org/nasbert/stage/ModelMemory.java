package org.nasbert.stage;

import org.apache.spark.SparkConf;
import org.nasbert.engine.BigDl;
import org.nasbert.space.Architecture;
import org.nasbert.space.BlockPath;
import org.nasbert.space.Op;
import org.nasbert.space.SearchSpace;
import org.nasbert.space.StudentSize;
import org.nasbert.teacher.BertConfig;

/**
 * The sizes the stages' memory estimates add up ({@link MemoryNeed}): weights, training state and the activations of a
 * transformer pass, in bytes of float32, and how many tasks one executor runs at once. Activations are the live tensors of
 * the project's layers: per token a layer holds its projections and residuals (about 6 x hidden floats), its feed-forward
 * (2 x intermediate) and per attention head a row of scores and their softmax (2 x heads x sequence length). Inference
 * holds one layer at a time; training holds every layer's, and gradients as large.
 */
public final class ModelMemory {
    private static final long FLOAT = 4;

    private ModelMemory() {
    }

    public static long weights(long parameters) {
        return FLOAT * parameters;
    }

    /** Weights, their gradients and Adam's two moments. */
    public static long training(long parameters) {
        return 4 * FLOAT * parameters;
    }

    /** One layer's activations per token. */
    static long perToken(int hidden, int intermediate, int heads, int seq) {
        return 6L * hidden + 2L * intermediate + 2L * heads * seq;
    }

    /** A forward pass of {@code batch} sequences of {@code seq} tokens, {@code kept} hidden states kept whole (boundaries). */
    public static long inference(int batch, int seq, BertConfig c, int kept) {
        return FLOAT * batch * seq * (perToken(c.hiddenSize, c.intermediateSize, c.numHeads, seq) + (long) kept * c.hiddenSize);
    }

    /** A training step: every layer's activations for the backward pass and their gradients. */
    public static long trainingActivations(int batch, int seq, int hidden, int intermediate, int heads, int layers) {
        return 2 * FLOAT * batch * seq * layers * perToken(hidden, intermediate, heads, seq);
    }

    /**
     * A student in training: weights (embedding table {@code embedding} wide, vocabulary and positions as given),
     * gradients, Adam's moments, and a step's activations of {@code batch} x {@code seq} tokens, every op's kept for the
     * backward pass and their gradients as large.
     */
    public static long studentTraining(Architecture a, int embedding, int vocab, int positions, int ffn, int batch, int seq) {
        long perToken = 0;
        for (BlockPath b : a.blocks()) {
            for (Op op : b.ops()) {
                perToken += opActivations(op, b.hidden(), ffn, seq);
            }
        }
        long parameters = new StudentSize(vocab, positions, 2, ffn, embedding).parameters(a);
        return training(parameters) + 2 * FLOAT * batch * seq * perToken;
    }

    /**
     * One op's activations per token, its residual and LayerNorm included: attention's projections, context and output
     * (about 6 x hidden) and per head a row of scores and their softmax; the feed-forward's two inner tensors; a
     * separable convolution's depthwise and pointwise outputs.
     */
    static long opActivations(Op op, int hidden, int ffn, int seq) {
        switch (op.kind()) {
            case MHA:
                return 8L * hidden + 2L * SearchSpace.heads(hidden) * seq;
            case FFN:
                return 2L * ffn * hidden + 4L * hidden;
            case SEP_CONV:
                return 6L * hidden;
            default:
                return 0;
        }
    }

    /** The sum of the {@code n} largest of {@code sizes}: what the tasks running at once hold when the largest run together. */
    public static long largest(java.util.List<Long> sizes, int n) {
        java.util.List<Long> sorted = new java.util.ArrayList<>(sizes);
        sorted.sort(java.util.Collections.reverseOrder());
        long sum = 0;
        for (int i = 0; i < Math.min(n, sorted.size()); i++) {
            sum += sorted.get(i);
        }
        return sum;
    }

    /** Tasks one executor runs at once: local[N]: N; local-cluster[n,c,m]: c; a cluster: spark.executor.cores (default 1). */
    public static int tasksAtOnce(SparkConf conf) {
        return Math.max(1, BigDl.nodesAndCores(conf)[1]);
    }
}
