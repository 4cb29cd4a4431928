package org.nasbert.nn;

import com.intel.analytics.bigdl.tensor.Tensor;
import com.intel.analytics.bigdl.utils.Table;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * BERT's multi-head self-attention with the padding mask. Input: a table of the hidden states
 * [batch, seq, hidden] and the attention mask [batch, seq] (1 = token, 0 = padding). Output:
 * [batch, seq, hidden] after the output projection. Padding keys get exactly zero weight.
 * Per (sequence, head) the score and context products are single sgemm calls on strided slices, so no
 * head is ever copied out.
 */
public final class MultiHeadAttention extends Parameterized<Table> {
    private final int hidden;
    private final int heads;
    private final int headSize;
    private final Dense query;
    private final Dense key;
    private final Dense value;
    private final Dense projection;
    private final Tensor<Float> context = Tensors.empty();
    private final Tensor<Float> gradQuery = Tensors.empty();
    private final Tensor<Float> gradKey = Tensors.empty();
    private final Tensor<Float> gradValue = Tensors.empty();
    private final Tensor<Float> gradContext = Tensors.empty();
    private float[] probs = new float[0];
    private final Tensor<Float> gradMask = Tensors.empty();
    /** The input's gradient, kept between steps (not a fresh tensor each backward pass). */
    private final Tensor<Float> gradX = Tensors.empty();

    public MultiHeadAttention(int hidden, int heads, Random random) {
        this(heads, new Dense(hidden, hidden, random), new Dense(hidden, hidden, random),
                new Dense(hidden, hidden, random), new Dense(hidden, hidden, random));
    }

    public MultiHeadAttention(int heads, Dense query, Dense key, Dense value, Dense projection) {
        super(Table.class);
        this.hidden = query.inputSize();
        if (heads <= 0 || hidden % heads != 0) {
            throw new IllegalArgumentException("hidden size " + hidden + " is not a multiple of " + heads + " heads");
        }
        for (Dense d : Arrays.asList(query, key, value, projection)) {
            if (d.inputSize() != hidden || d.outputSize() != hidden) {
                throw new IllegalArgumentException("attention projections must be " + hidden + " x " + hidden);
            }
        }
        this.heads = heads;
        this.headSize = hidden / heads;
        this.query = query;
        this.key = key;
        this.value = value;
        this.projection = projection;
    }

    @Override
    public Tensor<Float> updateOutput(Table input) {
        Tensor<Float> x = Tensors.dense(Tensors.tensorAt(input, 1));
        Tensor<Float> mask = Tensors.dense(Tensors.tensorAt(input, 2));
        int batch = x.size(1);
        int seq = x.size(2);
        Tensor<Float> q = query.forward(x);
        Tensor<Float> k = key.forward(x);
        Tensor<Float> v = value.forward(x);
        Tensors.resize(context, batch, seq, hidden);
        int scores = batch * heads * seq * seq;
        if (probs.length < scores) {
            ActivationPool.recycle(probs);
            probs = ActivationPool.floats(scores);
        }
        float scale = (float) (1 / Math.sqrt(headSize));
        float[] qs = Tensors.data(q);
        float[] ks = Tensors.data(k);
        float[] vs = Tensors.data(v);
        float[] cs = Tensors.data(context);
        float[] ms = Tensors.data(mask);
        int mo = Tensors.offset(mask);
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < heads; h++) {
                int slice = b * seq * hidden + h * headSize;
                int p = (b * heads + h) * seq * seq;
                Blas.gemm(false, true, seq, seq, headSize, scale, qs, Tensors.offset(q) + slice, hidden,
                        ks, Tensors.offset(k) + slice, hidden, 0f, probs, p, seq);
                softmax(probs, p, seq, ms, mo + b * seq);
                Blas.gemm(false, false, seq, headSize, seq, 1f, probs, p, seq, vs, Tensors.offset(v) + slice, hidden,
                        0f, cs, Tensors.offset(context) + slice, hidden);
            }
        }
        output_$eq(projection.forward(context));
        return output();
    }

    /**
     * Row-wise softmax over the keys whose mask is non-zero (the mask holds 1 for tokens, 0 for padding);
     * masked keys get weight exactly 0. The exponentials of a whole score block go to MKL's vector exp in
     * one call when MKL is loaded; the other loops are simple enough for the JIT to vectorise.
     */
    private static void softmax(float[] s, int offset, int seq, float[] mask, int maskOffset) {
        for (int i = 0; i < seq; i++) {
            int row = offset + i * seq;
            float max = -Float.MAX_VALUE;
            for (int j = 0; j < seq; j++) {
                float v = s[row + j];
                if (v > max && mask[maskOffset + j] != 0) {
                    max = v;
                }
            }
            for (int j = row; j < row + seq; j++) {
                s[j] -= max;
            }
        }
        Vml.exp(s, offset, seq * seq);
        for (int i = 0; i < seq; i++) {
            int row = offset + i * seq;
            float sum = 0;
            for (int j = 0; j < seq; j++) {
                float e = s[row + j] * mask[maskOffset + j];
                s[row + j] = e;
                sum += e;
            }
            float inv = sum > 0 ? 1f / sum : 0f;
            for (int j = row; j < row + seq; j++) {
                s[j] *= inv;
            }
        }
    }

    @Override
    public Table updateGradInput(Table input, Tensor<Float> gradOutput) {
        Tensor<Float> x = Tensors.dense(Tensors.tensorAt(input, 1));
        int batch = x.size(1);
        int seq = x.size(2);
        projection.gradInputInto(gradOutput, Tensors.resize(gradContext, context.size()), 0f);
        Tensors.resize(gradQuery, batch, seq, hidden);
        Tensors.resize(gradKey, batch, seq, hidden);
        Tensors.resize(gradValue, batch, seq, hidden);
        float scale = (float) (1 / Math.sqrt(headSize));
        Tensor<Float> q = query.output();
        Tensor<Float> k = key.output();
        Tensor<Float> v = value.output();
        float[] dScores = new float[seq * seq];
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < heads; h++) {
                int slice = b * seq * hidden + h * headSize;
                int p = (b * heads + h) * seq * seq;
                // dP = dC V^T ; dV = P^T dC
                Blas.gemm(false, true, seq, seq, headSize, 1f, Tensors.data(gradContext), Tensors.offset(gradContext) + slice,
                        hidden, Tensors.data(v), Tensors.offset(v) + slice, hidden, 0f, dScores, 0, seq);
                Blas.gemm(true, false, seq, headSize, seq, 1f, probs, p, seq, Tensors.data(gradContext),
                        Tensors.offset(gradContext) + slice, hidden, 0f, Tensors.data(gradValue),
                        Tensors.offset(gradValue) + slice, hidden);
                softmaxBackward(probs, p, dScores, seq, scale);
                // dQ = dS K ; dK = dS^T Q
                Blas.gemm(false, false, seq, headSize, seq, 1f, dScores, 0, seq, Tensors.data(k), Tensors.offset(k) + slice,
                        hidden, 0f, Tensors.data(gradQuery), Tensors.offset(gradQuery) + slice, hidden);
                Blas.gemm(true, false, seq, headSize, seq, 1f, dScores, 0, seq, Tensors.data(q), Tensors.offset(q) + slice,
                        hidden, 0f, Tensors.data(gradKey), Tensors.offset(gradKey) + slice, hidden);
            }
        }
        Tensor<Float> dx = Tensors.resize(gradX, x.size());
        query.gradInputInto(gradQuery, dx, 0f);
        key.gradInputInto(gradKey, dx, 1f);
        value.gradInputInto(gradValue, dx, 1f);
        Tensors.resize(gradMask, Tensors.tensorAt(input, 2).size()).zero();
        gradInput_$eq(Tensors.table(dx, gradMask));
        return gradInput();
    }

    /**
     * In place: dS = scale * P .* (dP - rowsum(dP .* P)). Row by row through 0-based local buffers, so the JIT
     * vectorises the element-wise loop (it would not with two arrays at unknown offsets).
     */
    private static void softmaxBackward(float[] probs, int p, float[] d, int seq, float scale) {
        float[] pr = new float[seq];
        float[] dr = new float[seq];
        for (int i = 0; i < seq; i++) {
            System.arraycopy(probs, p + i * seq, pr, 0, seq);
            System.arraycopy(d, i * seq, dr, 0, seq);
            float dot = (float) RowMath.dot(pr, dr, seq);
            for (int j = 0; j < seq; j++) {
                dr[j] = scale * pr[j] * (dr[j] - dot);
            }
            System.arraycopy(dr, 0, d, i * seq, seq);
        }
    }

    @Override
    public void accGradParameters(Table input, Tensor<Float> gradOutput) {
        Tensor<Float> x = Tensors.dense(Tensors.tensorAt(input, 1));
        projection.accGradParameters(context, gradOutput);
        query.accGradParameters(x, gradQuery);
        key.accGradParameters(x, gradKey);
        value.accGradParameters(x, gradValue);
    }

    @Override
    protected void releaseState() {
        release(context, gradQuery, gradKey, gradValue, gradContext, gradMask, gradX);
        ActivationPool.recycle(probs);
        probs = new float[0];
        for (Dense d : Arrays.asList(query, key, value, projection)) {
            d.clearState();
        }
    }

    @Override
    protected List<Tensor<Float>> weights() {
        return concat(Arrays.asList(query.weights(), key.weights(), value.weights(), projection.weights()));
    }

    @Override
    protected List<Tensor<Float>> gradients() {
        return concat(Arrays.asList(query.gradients(), key.gradients(), value.gradients(), projection.gradients()));
    }
}
