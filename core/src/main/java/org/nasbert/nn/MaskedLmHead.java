package org.nasbert.nn;

import com.intel.analytics.bigdl.tensor.Tensor;

import java.util.Arrays;
import java.util.List;

/**
 * BERT's masked-LM head: {@code LN(GELU(Dense(h)))} then logits over the vocabulary through the decoder,
 * whose weight is the word-embedding table (tied, as in BERT) and whose bias is the head's own.
 */
public final class MaskedLmHead extends Parameterized<Tensor<Float>> {
    private final Dense transform;
    private final Gelu gelu = new Gelu();
    private final LayerNorm norm;
    private final Dense decoder;

    public MaskedLmHead(Dense transform, LayerNorm norm, Dense decoder) {
        super(Tensor.class);
        this.transform = transform;
        this.norm = norm;
        this.decoder = decoder;
    }

    @Override
    public Tensor<Float> updateOutput(Tensor<Float> input) {
        output_$eq(decoder.forward(norm.forward(gelu.forward(transform.forward(input)))));
        return output();
    }

    @Override
    public Tensor<Float> updateGradInput(Tensor<Float> input, Tensor<Float> gradOutput) {
        Tensor<Float> d = decoder.updateGradInput(norm.output(), gradOutput);
        d = norm.updateGradInput(gelu.output(), d);
        d = gelu.updateGradInput(transform.output(), d);
        gradInput_$eq(transform.updateGradInput(input, d));
        return gradInput();
    }

    @Override
    public void accGradParameters(Tensor<Float> input, Tensor<Float> gradOutput) {
        decoder.accGradParameters(norm.output(), gradOutput);
        norm.accGradParameters(gelu.output(), decoder.gradInput());
        transform.accGradParameters(input, gelu.gradInput());
    }

    @Override
    protected void releaseState() {
        transform.clearState();
        gelu.clearState();
        norm.clearState();
        decoder.clearState();
    }

    /** The decoder's weight is the embeddings' and is listed there; only its bias is the head's. */
    @Override
    protected List<Tensor<Float>> weights() {
        return concat(Arrays.asList(transform.weights(), norm.weights(), Arrays.asList(decoder.bias())));
    }

    @Override
    protected List<Tensor<Float>> gradients() {
        return concat(Arrays.asList(transform.gradients(), norm.gradients(), Arrays.asList(decoder.gradients().get(1))));
    }
}
