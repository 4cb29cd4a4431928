package org.nasbert.nn;

import com.intel.analytics.bigdl.tensor.Tensor;

import java.util.Arrays;
import java.util.List;

/**
 * Layer normalisation over the last dimension, {@code gamma * (x - mean) / sqrt(var + eps) + beta}, with
 * BERT's biased variance and the epsilon of the checkpoint's config (1e-12 for BERT, not BigDL's 1e-6).
 * Statistics are accumulated in double.
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

    private void normalize(float[] xs, int xo, float[] ys, int yo, int n) {
        float[] g = Tensors.data(gamma);
        float[] b = Tensors.data(beta);
        int go = Tensors.offset(gamma);
        int bo = Tensors.offset(beta);
        for (int r = 0; r < n; r++) {
            int row = xo + r * dim;
            double sum = 0;
            for (int j = 0; j < dim; j++) {
                sum += xs[row + j];
            }
            double mu = sum / dim;
            double squares = 0;
            for (int j = 0; j < dim; j++) {
                double c = xs[row + j] - mu;
                squares += c * c;
            }
            double inv = 1 / Math.sqrt(squares / dim + eps);
            mean[r] = (float) mu;
            rstd[r] = (float) inv;
            int out = yo + r * dim;
            for (int j = 0; j < dim; j++) {
                ys[out + j] = (float) ((xs[row + j] - mu) * inv * g[go + j] + b[bo + j]);
            }
        }
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
        float[] g = Tensors.data(gamma);
        int xo = Tensors.offset(x);
        int dyo = Tensors.offset(dy);
        int dxo = Tensors.offset(gradInput());
        int go = Tensors.offset(gamma);
        for (int r = 0; r < n; r++) {
            // dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)), dxhat = dy * gamma
            double sumD = 0;
            double sumDX = 0;
            for (int j = 0; j < dim; j++) {
                double xhat = (xs[xo + r * dim + j] - mean[r]) * rstd[r];
                double dxhat = dys[dyo + r * dim + j] * g[go + j];
                sumD += dxhat;
                sumDX += dxhat * xhat;
            }
            double meanD = sumD / dim;
            double meanDX = sumDX / dim;
            for (int j = 0; j < dim; j++) {
                double xhat = (xs[xo + r * dim + j] - mean[r]) * rstd[r];
                double dxhat = dys[dyo + r * dim + j] * g[go + j];
                dxs[dxo + r * dim + j] = (float) (rstd[r] * (dxhat - meanD - xhat * meanDX));
            }
        }
        return gradInput();
    }

    @Override
    public void accGradParameters(Tensor<Float> input, Tensor<Float> gradOutput) {
        Tensor<Float> x = Tensors.dense(input);
        Tensor<Float> dy = Tensors.dense(gradOutput);
        int n = Tensors.rows(x);
        List<Tensor<Float>> grads = gradients();
        Tensor<Float> gradGamma = grads.get(0);
        Tensor<Float> gradBeta = grads.get(1);
        float[] xs = Tensors.data(x);
        float[] dys = Tensors.data(dy);
        float[] gg = Tensors.data(gradGamma);
        float[] gb = Tensors.data(gradBeta);
        int xo = Tensors.offset(x);
        int dyo = Tensors.offset(dy);
        int ggo = Tensors.offset(gradGamma);
        int gbo = Tensors.offset(gradBeta);
        for (int r = 0; r < n; r++) {
            for (int j = 0; j < dim; j++) {
                float d = dys[dyo + r * dim + j];
                gg[ggo + j] += d * (xs[xo + r * dim + j] - mean[r]) * rstd[r];
                gb[gbo + j] += d;
            }
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
