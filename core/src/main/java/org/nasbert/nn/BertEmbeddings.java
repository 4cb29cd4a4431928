package org.nasbert.nn;

import com.intel.analytics.bigdl.tensor.Tensor;
import com.intel.analytics.bigdl.utils.Table;

import java.util.Arrays;
import java.util.List;

/**
 * BERT's input embeddings: {@code LN(word[id] + position[t] + tokenType[type])}. Input: a table of token
 * ids and token-type ids, both [batch, seq] holding 0-based integers as floats. Output [batch, seq, hidden].
 * Ids are not differentiable: the input gradient is zero; the tables' gradients are scattered.
 */
public final class BertEmbeddings extends Parameterized<Table> {
    private final Tensor<Float> word;
    private final Tensor<Float> position;
    private final Tensor<Float> tokenType;
    private final LayerNorm norm;
    private List<Tensor<Float>> gradTables;
    private final Tensor<Float> summed = Tensors.empty();
    private final int hidden;

    public BertEmbeddings(Tensor<Float> word, Tensor<Float> position, Tensor<Float> tokenType, LayerNorm norm) {
        super(Table.class);
        this.hidden = word.size(2);
        if (position.size(2) != hidden || tokenType.size(2) != hidden) {
            throw new IllegalArgumentException("embedding tables disagree on the hidden size: " + Arrays.toString(word.size())
                    + ", " + Arrays.toString(position.size()) + ", " + Arrays.toString(tokenType.size()));
        }
        this.word = word;
        this.position = position;
        this.tokenType = tokenType;
        this.norm = norm;
    }

    /** The LayerNorm's epsilon. */
    public float normEps() {
        return norm.eps();
    }

    /** The word table's gradient, [vocab, hidden]: a decoder tied to the table adds its own into it. */
    public Tensor<Float> wordGradient() {
        return gradients().get(0);
    }

    public Tensor<Float> wordEmbeddings() {
        return word;
    }

    @Override
    public Tensor<Float> updateOutput(Table input) {
        Tensor<Float> ids = Tensors.dense(Tensors.tensorAt(input, 1));
        Tensor<Float> types = Tensors.dense(Tensors.tensorAt(input, 2));
        int batch = ids.size(1);
        int seq = ids.size(2);
        if (seq > position.size(1)) {
            throw new IllegalArgumentException("sequence length " + seq + " exceeds the model's " + position.size(1) + " positions");
        }
        Tensors.resize(summed, batch, seq, hidden);
        float[] out = Tensors.data(summed);
        int oo = Tensors.offset(summed);
        float[] idData = Tensors.data(ids);
        float[] typeData = Tensors.data(types);
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < seq; t++) {
                int at = b * seq + t;
                int id = index(idData[Tensors.offset(ids) + at], word, "token id", b, t);
                int type = index(typeData[Tensors.offset(types) + at], tokenType, "token type", b, t);
                addRows(out, oo + at * hidden, word, id, position, t, tokenType, type);
            }
        }
        output_$eq(norm.forward(summed));
        return output();
    }

    private void addRows(float[] out, int at, Tensor<Float> a, int i, Tensor<Float> b, int j, Tensor<Float> c, int k) {
        float[] as = Tensors.data(a);
        float[] bs = Tensors.data(b);
        float[] cs = Tensors.data(c);
        int ao = Tensors.offset(a) + i * hidden;
        int bo = Tensors.offset(b) + j * hidden;
        int co = Tensors.offset(c) + k * hidden;
        for (int h = 0; h < hidden; h++) {
            out[at + h] = as[ao + h] + bs[bo + h] + cs[co + h];
        }
    }

    private static int index(float value, Tensor<Float> table, String what, int b, int t) {
        int i = (int) value;
        if (i != value || i < 0 || i >= table.size(1)) {
            throw new IllegalArgumentException(what + " " + value + " at [" + b + ", " + t + "] is outside 0.." + (table.size(1) - 1));
        }
        return i;
    }

    @Override
    public Table updateGradInput(Table input, Tensor<Float> gradOutput) {
        norm.updateGradInput(summed, gradOutput);
        gradInput_$eq(Tensors.table(Tensors.zeros(Tensors.tensorAt(input, 1).size()),
                Tensors.zeros(Tensors.tensorAt(input, 2).size())));
        return gradInput();
    }

    @Override
    public void accGradParameters(Table input, Tensor<Float> gradOutput) {
        norm.accGradParameters(summed, gradOutput);
        Tensor<Float> ids = Tensors.dense(Tensors.tensorAt(input, 1));
        Tensor<Float> types = Tensors.dense(Tensors.tensorAt(input, 2));
        Tensor<Float> d = norm.gradInput();
        int seq = ids.size(2);
        List<Tensor<Float>> grads = gradients();
        Tensor<Float> gradWord = grads.get(0);
        Tensor<Float> gradPosition = grads.get(1);
        Tensor<Float> gradTokenType = grads.get(2);
        for (int at = 0, n = ids.nElement(); at < n; at++) {
            int row = Tensors.offset(d) + at * hidden;
            scatter(gradWord, (int) (float) Tensors.data(ids)[Tensors.offset(ids) + at], Tensors.data(d), row);
            scatter(gradPosition, at % seq, Tensors.data(d), row);
            scatter(gradTokenType, (int) (float) Tensors.data(types)[Tensors.offset(types) + at], Tensors.data(d), row);
        }
    }

    private void scatter(Tensor<Float> grad, int index, float[] d, int row) {
        float[] g = Tensors.data(grad);
        int go = Tensors.offset(grad) + index * hidden;
        for (int h = 0; h < hidden; h++) {
            g[go + h] += d[row + h];
        }
    }

    @Override
    protected void releaseState() {
        release(summed);
        norm.clearState();
    }

    @Override
    protected List<Tensor<Float>> weights() {
        return concat(Arrays.asList(Arrays.asList(word, position, tokenType), norm.weights()));
    }

    @Override
    protected List<Tensor<Float>> gradients() {
        if (gradTables == null) {
            gradTables = Arrays.asList(Tensors.zeros(word.size()), Tensors.zeros(position.size()), Tensors.zeros(tokenType.size()));
        }
        return concat(Arrays.asList(gradTables, norm.gradients()));
    }
}
