package org.nasbert.nn;

import com.intel.analytics.bigdl.tensor.Tensor;
import com.intel.analytics.bigdl.utils.Table;

import java.util.Arrays;
import java.util.List;

/**
 * BERT's sublayer wrapper, {@code LayerNorm(x + op(x, mask))}, around any sequence op (attention, feed-forward,
 * separable convolution): one supernet candidate. Input: table of hidden states and mask.
 */
public final class ResidualNorm extends Parameterized<Table> {
    private final Parameterized<Table> op;
    private final LayerNorm norm;
    private final Tensor<Float> sum = Tensors.empty();
    private final Tensor<Float> gradMask = Tensors.empty();
    /** The input's gradient, kept between steps: a fresh one each backward pass was most of a student's garbage. */
    private final Tensor<Float> gradX = Tensors.empty();

    public ResidualNorm(Parameterized<Table> op, LayerNorm norm) {
        super(Table.class);
        this.op = op;
        this.norm = norm;
    }

    @Override
    public Tensor<Float> updateOutput(Table input) {
        Tensor<Float> x = Tensors.dense(Tensors.tensorAt(input, 1));
        output_$eq(norm.forward(Tensors.sum(sum, x, op.forward(input))));
        return output();
    }

    @Override
    public Table updateGradInput(Table input, Tensor<Float> gradOutput) {
        Tensor<Float> dSum = norm.updateGradInput(sum, gradOutput);
        Tensor<Float> dx = Tensors.resize(gradX, dSum.size()).copy(dSum);
        Tensors.addInto(dx, Tensors.tensorAt(op.updateGradInput(input, dSum), 1));
        Tensors.resize(gradMask, Tensors.tensorAt(input, 2).size()).zero();
        gradInput_$eq(Tensors.table(dx, gradMask));
        return gradInput();
    }

    @Override
    public void accGradParameters(Table input, Tensor<Float> gradOutput) {
        norm.accGradParameters(sum, gradOutput);
        op.accGradParameters(input, norm.gradInput());
    }

    @Override
    protected void releaseState() {
        release(sum, gradMask, gradX);
        op.clearState();
        norm.clearState();
    }

    @Override
    protected List<Tensor<Float>> weights() {
        return concat(Arrays.asList(op.weights(), norm.weights()));
    }

    @Override
    protected List<Tensor<Float>> gradients() {
        return concat(Arrays.asList(op.gradients(), norm.gradients()));
    }
}
