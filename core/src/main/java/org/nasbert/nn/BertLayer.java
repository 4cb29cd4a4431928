package org.nasbert.nn;

import com.intel.analytics.bigdl.tensor.Tensor;
import com.intel.analytics.bigdl.utils.Table;

import java.util.Arrays;
import java.util.List;

/**
 * One BERT encoder layer, post-norm as in the original: {@code h = LN(x + MHA(x, mask));
 * y = LN(h + FFN(h))}. Input: table of hidden states [batch, seq, hidden] and mask [batch, seq].
 */
public final class BertLayer extends Parameterized<Table> {
    private final MultiHeadAttention attention;
    private final LayerNorm attentionNorm;
    private final FeedForward feedForward;
    private final LayerNorm outputNorm;
    private final Tensor<Float> attentionSum = Tensors.empty();
    private final Tensor<Float> outputSum = Tensors.empty();
    private final Tensor<Float> gradHidden = Tensors.empty();
    private final Tensor<Float> gradMask = Tensors.empty();

    public BertLayer(MultiHeadAttention attention, LayerNorm attentionNorm, FeedForward feedForward, LayerNorm outputNorm) {
        super(Table.class);
        this.attention = attention;
        this.attentionNorm = attentionNorm;
        this.feedForward = feedForward;
        this.outputNorm = outputNorm;
    }

    @Override
    public Tensor<Float> updateOutput(Table input) {
        Tensor<Float> x = Tensors.dense(Tensors.tensorAt(input, 1));
        Tensor<Float> h = attentionNorm.forward(Tensors.sum(attentionSum, x, attention.forward(input)));
        output_$eq(outputNorm.forward(Tensors.sum(outputSum, h, feedForward.forward(h))));
        return output();
    }

    @Override
    public Table updateGradInput(Table input, Tensor<Float> gradOutput) {
        Tensor<Float> h = attentionNorm.output();
        Tensor<Float> dSum2 = outputNorm.updateGradInput(outputSum, gradOutput);
        Tensor<Float> dh = Tensors.resize(gradHidden, h.size()).copy(dSum2);
        Tensors.addInto(dh, feedForward.updateGradInput(h, dSum2));
        Tensor<Float> dSum1 = attentionNorm.updateGradInput(attentionSum, dh);
        Tensor<Float> dx = Tensors.resize(Tensors.empty(), dSum1.size()).copy(dSum1);
        Tensors.addInto(dx, Tensors.tensorAt(attention.updateGradInput(input, dSum1), 1));
        Tensors.resize(gradMask, Tensors.tensorAt(input, 2).size()).zero();
        gradInput_$eq(Tensors.table(dx, gradMask));
        return gradInput();
    }

    @Override
    public void accGradParameters(Table input, Tensor<Float> gradOutput) {
        outputNorm.accGradParameters(outputSum, gradOutput);
        feedForward.accGradParameters(attentionNorm.output(), outputNorm.gradInput());
        attentionNorm.accGradParameters(attentionSum, gradHidden);
        attention.accGradParameters(input, attentionNorm.gradInput());
    }

    @Override
    protected void releaseState() {
        release(attentionSum, outputSum, gradHidden, gradMask);
        attention.clearState();
        attentionNorm.clearState();
        feedForward.clearState();
        outputNorm.clearState();
    }

    @Override
    protected List<Tensor<Float>> weights() {
        return concat(Arrays.asList(attention.weights(), attentionNorm.weights(), feedForward.weights(), outputNorm.weights()));
    }

    @Override
    protected List<Tensor<Float>> gradients() {
        return concat(Arrays.asList(attention.gradients(), attentionNorm.gradients(), feedForward.gradients(),
                outputNorm.gradients()));
    }
}
