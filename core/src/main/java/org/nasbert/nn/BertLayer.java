package org.nasbert.nn;

import com.intel.analytics.bigdl.tensor.Tensor;
import com.intel.analytics.bigdl.utils.Table;

import java.util.Arrays;
import java.util.List;

/**
 * One BERT encoder layer, post-norm as in the original: {@code h = LN(x + MHA(x, mask));
 * y = LN(h + FFN(h))}, i.e. two {@link ResidualNorm} sublayers. Input: table of hidden states
 * [batch, seq, hidden] and mask [batch, seq].
 */
public final class BertLayer extends Parameterized<Table> {
    private final ResidualNorm attention;
    private final ResidualNorm feedForward;
    private Table hidden;

    public BertLayer(MultiHeadAttention attention, LayerNorm attentionNorm, FeedForward feedForward, LayerNorm outputNorm) {
        super(Table.class);
        this.attention = new ResidualNorm(attention, attentionNorm);
        this.feedForward = new ResidualNorm(new Unmasked(feedForward), outputNorm);
    }

    @Override
    public Tensor<Float> updateOutput(Table input) {
        hidden = Tensors.table(attention.forward(input), Tensors.tensorAt(input, 2));
        output_$eq(feedForward.forward(hidden));
        return output();
    }

    @Override
    public Table updateGradInput(Table input, Tensor<Float> gradOutput) {
        Tensor<Float> dHidden = Tensors.tensorAt(feedForward.updateGradInput(hidden, gradOutput), 1);
        gradInput_$eq(attention.updateGradInput(input, dHidden));
        return gradInput();
    }

    @Override
    public void accGradParameters(Table input, Tensor<Float> gradOutput) {
        feedForward.accGradParameters(hidden, gradOutput);
        attention.accGradParameters(input, Tensors.tensorAt(feedForward.gradInput(), 1));
    }

    @Override
    protected void releaseState() {
        hidden = null;
        attention.clearState();
        feedForward.clearState();
    }

    @Override
    protected List<Tensor<Float>> weights() {
        return concat(Arrays.asList(attention.weights(), feedForward.weights()));
    }

    @Override
    protected List<Tensor<Float>> gradients() {
        return concat(Arrays.asList(attention.gradients(), feedForward.gradients()));
    }
}
