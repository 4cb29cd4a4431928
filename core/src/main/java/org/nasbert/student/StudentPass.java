package org.nasbert.student;

import com.intel.analytics.bigdl.tensor.Tensor;
import com.intel.analytics.bigdl.utils.Table;
import org.nasbert.nn.BertEmbeddings;
import org.nasbert.nn.Dense;
import org.nasbert.nn.Parameterized;
import org.nasbert.nn.Tensors;
import org.nasbert.nn.TokenBatch;

import java.util.ArrayList;
import java.util.List;

/** One training forward pass of a student over a batch ({@link StudentModel#train}); {@link #backward} accumulates every module's gradients. */
public final class StudentPass {
    private final TokenBatch in;
    private final Table tokens;
    private final BertEmbeddings embeddings;
    private final List<Parameterized<?>> chain;
    private final List<Object> inputs = new ArrayList<>();
    private final Tensor<Float> output;

    @SuppressWarnings("unchecked")
    StudentPass(BertEmbeddings embeddings, List<Parameterized<?>> chain, int[][] ids, int[][] types, int[] lengths) {
        this.embeddings = embeddings;
        this.chain = chain;
        in = new TokenBatch(ids, types, lengths);
        tokens = Tensors.table(in.ids, in.types);
        Tensor<Float> h = embeddings.forward(tokens);
        for (Parameterized<?> m : chain.subList(1, chain.size())) {
            if (m instanceof Dense) {
                inputs.add(h);
                h = ((Dense) m).forward(h);
            } else {
                Table t = Tensors.table(h, in.mask);
                inputs.add(t);
                h = ((Parameterized<Table>) m).forward(t);
            }
        }
        output = h;
    }

    /** [batch, length, width]; overwritten by the student's next pass. */
    public Tensor<Float> output() {
        return output;
    }

    /** 1 for real tokens, 0 for padding: [batch, length]. */
    public Tensor<Float> mask() {
        return in.mask;
    }

    @SuppressWarnings("unchecked")
    public void backward(Tensor<Float> gradOutput) {
        Tensor<Float> d = gradOutput;
        for (int i = chain.size() - 1; i >= 1; i--) {
            Parameterized<?> m = chain.get(i);
            if (m instanceof Dense) {
                d = ((Dense) m).backward((Tensor<Float>) inputs.get(i - 1), d);
            } else {
                d = Tensors.tensorAt((Table) ((Parameterized<Table>) m).backward((Table) inputs.get(i - 1), d), 1);
            }
        }
        embeddings.backward(tokens, d);
    }
}
