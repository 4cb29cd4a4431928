package org.nasbert.nn;

import com.intel.analytics.bigdl.tensor.Tensor;

import java.util.Arrays;
import java.util.List;

/**
 * Layer normalisation over the last dimension, {@code gamma * (x - mean) / sqrt(var + eps) + beta}, with
 * BERT's biased variance and the epsilon of the checkpoint's config (1e-12 for BERT, not BigDL's 1e-6).
 * Statistics are accumulated in double; the normalised values are computed in float.
 */
public final class LayerNorm extends Parameterized<Tensor<Float>> {
    private final int dim;
    private final float eps;
    private final Tensor<Float> gamma;
    private final Tensor<Float> beta;
    private Tensor<Float> gradGamma;
    private Tensor<Float> gradBeta;
    private float[] mean = new float[0];
    private float[] rstd = new float[0];

    public LayerNorm(int dim, float eps) {
        this(Init.ones(dim), Tensors.zeros(dim), eps);
    }

    public LayerNorm(Tensor<Float> gamma, Tensor<Float> beta, float eps) {
        super(Tensor.class);
        if (gamma.dim() != 1 || beta.dim() != 1 || gamma.size(1) != beta.size(1)) {
            throw new IllegalArgumentException("LayerNorm wants gamma [d] and beta [d], got "
                    + Arrays.toString(gamma.size()) + " and " + Arrays.toString(beta.size()));
        }
        this.dim = gamma.size(1);
        this.eps = eps;
        this.gamma = gamma;
        this.beta = beta;
    }

    public float eps() {
        return eps;
    }

    @Override
    public Tensor<Float> updateOutput(Tensor<Float> input) {
        Tensor<Float> x = Tensors.dense(input);
        if (Tensors.lastDim(x) != dim) {
            throw new IllegalArgumentException(getName() + ": last dimension " + Tensors.lastDim(x) + ", expected " + dim);
        }
        int n = Tensors.rows(x);
        Tensors.resize(output(), x.size());
        if (mean.length < n) {
            mean = new float[n];
            rstd = new float[n];
        }
        normalize(Tensors.data(x), Tensors.offset(x), Tensors.data(output()), Tensors.offset(output()), n);
        return output();
    }

    /*
     * The loops below work on one row at a time through 0-based local buffers: with two arrays at unknown
     * offsets the JIT cannot rule out overlap and would not vectorise. Sums are {@link RowMath}'s.
     */

    private void normalize(float[] xs, int xo, float[] ys, int yo, int n) {
        float[] g = copyOf(gamma);
        float[] b = copyOf(beta);
        float[] row = new float[dim];
        for (int r = 0; r < n; r++) {
            System.arraycopy(xs, xo + r * dim, row, 0, dim);
            double mu = RowMath.sum(row, dim) / dim;
            float m = (float) mu;
            double squares = RowMath.centredSquares(row, m, dim);
            float inv = (float) (1 / Math.sqrt(squares / dim + eps));
            mean[r] = m;
            rstd[r] = inv;
            for (int j = 0; j < dim; j++) {
                row[j] = (row[j] - m) * inv * g[j] + b[j];
            }
            System.arraycopy(row, 0, ys, yo + r * dim, dim);
        }
    }

    private static float[] copyOf(Tensor<Float> t) {
        float[] copy = new float[t.nElement()];
        System.arraycopy(Tensors.data(t), Tensors.offset(t), copy, 0, copy.length);
        return copy;
    }

    @Override
    public Tensor<Float> updateGradInput(Tensor<Float> input, Tensor<Float> gradOutput) {
        Tensor<Float> x = Tensors.dense(input);
        Tensor<Float> dy = Tensors.dense(gradOutput);
        int n = Tensors.rows(x);
        Tensors.resize(gradInput(), x.size());
        float[] xs = Tensors.data(x);
        float[] dys = Tensors.data(dy);
        float[] dxs = Tensors.data(gradInput());
        int xo = Tensors.offset(x);
        int dyo = Tensors.offset(dy);
        int dxo = Tensors.offset(gradInput());
        float[] g = copyOf(gamma);
        float[] xhat = new float[dim];
        float[] dxhat = new float[dim];
        for (int r = 0; r < n; r++) {
            // dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)), dxhat = dy * gamma
            System.arraycopy(xs, xo + r * dim, xhat, 0, dim);
            System.arraycopy(dys, dyo + r * dim, dxhat, 0, dim);
            float m = mean[r];
            float s = rstd[r];
            for (int j = 0; j < dim; j++) {
                xhat[j] = (xhat[j] - m) * s;
                dxhat[j] *= g[j];
            }
            float meanD = (float) (RowMath.sum(dxhat, dim) / dim);
            float meanDX = (float) (RowMath.dot(dxhat, xhat, dim) / dim);
            for (int j = 0; j < dim; j++) {
                dxhat[j] = s * (dxhat[j] - meanD - xhat[j] * meanDX);
            }
            System.arraycopy(dxhat, 0, dxs, dxo + r * dim, dim);
        }
        return gradInput();
    }

    @Override
    public void accGradParameters(Tensor<Float> input, Tensor<Float> gradOutput) {
        Tensor<Float> x = Tensors.dense(input);
        Tensor<Float> dy = Tensors.dense(gradOutput);
        int n = Tensors.rows(x);
        List<Tensor<Float>> grads = gradients();
        float[] xs = Tensors.data(x);
        float[] dys = Tensors.data(dy);
        int xo = Tensors.offset(x);
        int dyo = Tensors.offset(dy);
        float[] xrow = new float[dim];
        float[] drow = new float[dim];
        float[] gg = new float[dim];
        float[] gb = new float[dim];
        for (int r = 0; r < n; r++) {
            System.arraycopy(xs, xo + r * dim, xrow, 0, dim);
            System.arraycopy(dys, dyo + r * dim, drow, 0, dim);
            float m = mean[r];
            float s = rstd[r];
            for (int j = 0; j < dim; j++) {
                gg[j] += drow[j] * ((xrow[j] - m) * s);
                gb[j] += drow[j];
            }
        }
        addInto(grads.get(0), gg);
        addInto(grads.get(1), gb);
    }

    private static void addInto(Tensor<Float> target, float[] values) {
        float[] t = Tensors.data(target);
        int to = Tensors.offset(target);
        for (int j = 0; j < values.length; j++) {
            t[to + j] += values[j];
        }
    }

    @Override
    protected void releaseState() {
        mean = new float[0];
        rstd = new float[0];
    }

    @Override
    protected List<Tensor<Float>> weights() {
        return Arrays.asList(gamma, beta);
    }

    @Override
    protected List<Tensor<Float>> gradients() {
        if (gradGamma == null) {
            gradGamma = Tensors.zeros(dim);
            gradBeta = Tensors.zeros(dim);
        }
        return Arrays.asList(gradGamma, gradBeta);
    }
}
