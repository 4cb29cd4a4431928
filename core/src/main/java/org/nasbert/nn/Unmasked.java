package org.nasbert.nn;

import com.intel.analytics.bigdl.tensor.Tensor;
import com.intel.analytics.bigdl.utils.Table;

import java.util.List;

/** A position-wise op (the feed-forward network) in the table-in form of the sequence ops; the mask is not needed. */
public final class Unmasked extends Parameterized<Table> {
    private final Parameterized<Tensor<Float>> op;
    private final Tensor<Float> gradMask = Tensors.empty();

    public Unmasked(Parameterized<Tensor<Float>> op) {
        super(Table.class);
        this.op = op;
    }

    @Override
    public Tensor<Float> updateOutput(Table input) {
        output_$eq(op.forward(Tensors.tensorAt(input, 1)));
        return output();
    }

    @Override
    public Table updateGradInput(Table input, Tensor<Float> gradOutput) {
        Tensor<Float> dx = op.updateGradInput(Tensors.tensorAt(input, 1), gradOutput);
        Tensors.resize(gradMask, Tensors.tensorAt(input, 2).size()).zero();
        gradInput_$eq(Tensors.table(dx, gradMask));
        return gradInput();
    }

    @Override
    public void accGradParameters(Table input, Tensor<Float> gradOutput) {
        op.accGradParameters(Tensors.tensorAt(input, 1), gradOutput);
    }

    @Override
    protected void releaseState() {
        op.clearState();
    }

    @Override
    protected List<Tensor<Float>> weights() {
        return op.weights();
    }

    @Override
    protected List<Tensor<Float>> gradients() {
        return op.gradients();
    }
}
