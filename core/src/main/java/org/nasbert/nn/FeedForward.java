package org.nasbert.nn;

import com.intel.analytics.bigdl.tensor.Tensor;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

/** BERT's position-wise feed-forward network: Dense(h, inner), exact GELU, Dense(inner, h). */
public final class FeedForward extends Parameterized<Tensor<Float>> {
    private final Dense expand;
    private final Gelu gelu = new Gelu();
    private final Dense contract;

    public FeedForward(int hidden, int inner, Random random) {
        this(new Dense(hidden, inner, random), new Dense(inner, hidden, random));
    }

    public FeedForward(Dense expand, Dense contract) {
        super(Tensor.class);
        if (expand.outputSize() != contract.inputSize() || expand.inputSize() != contract.outputSize()) {
            throw new IllegalArgumentException("feed-forward layers do not chain: " + expand.inputSize() + "->"
                    + expand.outputSize() + " then " + contract.inputSize() + "->" + contract.outputSize());
        }
        this.expand = expand;
        this.contract = contract;
    }

    @Override
    public Tensor<Float> updateOutput(Tensor<Float> input) {
        output_$eq(contract.forward(gelu.forward(expand.forward(input))));
        return output();
    }

    @Override
    public Tensor<Float> updateGradInput(Tensor<Float> input, Tensor<Float> gradOutput) {
        Tensor<Float> dInner = contract.updateGradInput(gelu.output(), gradOutput);
        Tensor<Float> dExpanded = gelu.updateGradInput(expand.output(), dInner);
        gradInput_$eq(expand.updateGradInput(input, dExpanded));
        return gradInput();
    }

    @Override
    public void accGradParameters(Tensor<Float> input, Tensor<Float> gradOutput) {
        contract.accGradParameters(gelu.output(), gradOutput);
        expand.accGradParameters(input, gelu.gradInput());
    }

    @Override
    protected void releaseState() {
        expand.clearState();
        gelu.clearState();
        contract.clearState();
    }

    @Override
    protected List<Tensor<Float>> weights() {
        return concat(Arrays.asList(expand.weights(), contract.weights()));
    }

    @Override
    protected List<Tensor<Float>> gradients() {
        return concat(Arrays.asList(expand.gradients(), contract.gradients()));
    }
}
