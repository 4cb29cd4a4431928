package org.nasbert.nn;

import com.intel.analytics.bigdl.tensor.Tensor;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * A fully connected layer over the last dimension of an input of any rank ([..., in] to [..., out]), with
 * the weight stored as [out, in] (PyTorch's and Hugging Face's layout), so checkpoint tensors are used
 * without copying. The weight may be shared with another layer (the masked-LM decoder reuses the word
 * embeddings).
 */
public final class Dense extends Parameterized<Tensor<Float>> {
    private final int in;
    private final int out;
    private final Tensor<Float> weight;
    private final Tensor<Float> bias;
    /** Allocated on first use, so inference-only models (the teacher) carry no gradient memory. */
    private Tensor<Float> gradWeight;
    private Tensor<Float> gradBias;

    /** A fresh layer, weights drawn from N(0, 0.02^2) as BERT initialises, bias zero. */
    public Dense(int in, int out, Random random) {
        this(Init.normal(random, 0.02f, out, in), Tensors.zeros(out));
    }

    public Dense(Tensor<Float> weight, Tensor<Float> bias) {
        super(Tensor.class);
        if (weight.dim() != 2 || bias.dim() != 1 || bias.size(1) != weight.size(1)) {
            throw new IllegalArgumentException("Dense wants weight [out, in] and bias [out], got "
                    + Arrays.toString(weight.size()) + " and " + Arrays.toString(bias.size()));
        }
        this.out = weight.size(1);
        this.in = weight.size(2);
        this.weight = weight;
        this.bias = bias;
    }

    /**
     * A layer whose weight and weight gradient are another layer's (a masked-LM decoder tied to the word embeddings):
     * both uses' gradients sum in {@code gradWeight}, which the owner lists for the optimiser, so the weight is stepped
     * once.
     */
    public static Dense tied(Tensor<Float> weight, Tensor<Float> gradWeight, Tensor<Float> bias) {
        Dense d = new Dense(weight, bias);
        if (!Arrays.equals(gradWeight.size(), weight.size())) {
            throw new IllegalArgumentException("tied gradient " + Arrays.toString(gradWeight.size()) + " for a weight "
                    + Arrays.toString(weight.size()));
        }
        d.gradWeight = gradWeight;
        return d;
    }

    public int inputSize() {
        return in;
    }

    public int outputSize() {
        return out;
    }

    public Tensor<Float> weight() {
        return weight;
    }

    public Tensor<Float> bias() {
        return bias;
    }

    @Override
    public Tensor<Float> updateOutput(Tensor<Float> input) {
        Tensor<Float> x = checked(input);
        int n = Tensors.rows(x);
        int[] shape = x.size().clone();
        shape[shape.length - 1] = out;
        Tensors.resize(output(), shape);
        float[] y = Tensors.data(output());
        int yo = Tensors.offset(output());
        float[] b = Tensors.data(bias);
        int bo = Tensors.offset(bias);
        for (int r = 0; r < n; r++) {
            System.arraycopy(b, bo, y, yo + r * out, out);
        }
        Blas.gemm(false, true, n, out, in, 1f, Tensors.data(x), Tensors.offset(x), in,
                Tensors.data(weight), Tensors.offset(weight), in, 1f, y, yo, out);
        return output();
    }

    @Override
    public Tensor<Float> updateGradInput(Tensor<Float> input, Tensor<Float> gradOutput) {
        Tensor<Float> dy = Tensors.dense(gradOutput);
        int n = Tensors.rows(dy);
        Tensors.resize(gradInput(), input.size());
        Blas.gemm(false, false, n, in, out, 1f, Tensors.data(dy), Tensors.offset(dy), out,
                Tensors.data(weight), Tensors.offset(weight), in, 0f,
                Tensors.data(gradInput()), Tensors.offset(gradInput()), in);
        return gradInput();
    }

    /** {@code target = beta * target + gradOutput W}: the input gradient written (beta 0) or added (beta 1) in place. */
    void gradInputInto(Tensor<Float> gradOutput, Tensor<Float> target, float beta) {
        Tensor<Float> dy = Tensors.dense(gradOutput);
        Blas.gemm(false, false, Tensors.rows(dy), in, out, 1f, Tensors.data(dy), Tensors.offset(dy), out,
                Tensors.data(weight), Tensors.offset(weight), in, beta, Tensors.data(target), Tensors.offset(target), in);
    }

    @Override
    public void accGradParameters(Tensor<Float> input, Tensor<Float> gradOutput) {
        Tensor<Float> x = checked(input);
        Tensor<Float> dy = Tensors.dense(gradOutput);
        int n = Tensors.rows(dy);
        float[] d = Tensors.data(dy);
        int dOffset = Tensors.offset(dy);
        List<Tensor<Float>> grads = gradients();
        Tensor<Float> gradWeight = grads.get(0);
        Tensor<Float> gradBias = grads.get(1);
        Blas.gemm(true, false, out, in, n, 1f, d, dOffset, out, Tensors.data(x), Tensors.offset(x), in, 1f,
                Tensors.data(gradWeight), Tensors.offset(gradWeight), in);
        Blas.addColumnSums(n, out, d, dOffset, Tensors.data(gradBias), Tensors.offset(gradBias));
    }

    private Tensor<Float> checked(Tensor<Float> input) {
        if (Tensors.lastDim(input) != in) {
            throw new IllegalArgumentException(getName() + ": input's last dimension is " + Tensors.lastDim(input)
                    + ", expected " + in);
        }
        return Tensors.dense(input);
    }

    @Override
    protected List<Tensor<Float>> weights() {
        return Arrays.asList(weight, bias);
    }

    @Override
    protected List<Tensor<Float>> gradients() {
        if (gradBias == null) {
            gradWeight = gradWeight != null ? gradWeight : Tensors.zeros(out, in);
            gradBias = Tensors.zeros(out);
        }
        return Arrays.asList(gradWeight, gradBias);
    }
}
