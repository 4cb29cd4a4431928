package org.nasbert.student;

import com.intel.analytics.bigdl.tensor.Tensor;
import com.intel.analytics.bigdl.utils.Table;
import org.nasbert.engine.BigDl;
import org.nasbert.nn.BertEmbeddings;
import org.nasbert.nn.Dense;
import org.nasbert.nn.LayerNorm;
import org.nasbert.nn.MaskedLmHead;
import org.nasbert.nn.Parameterized;
import org.nasbert.nn.Tensors;
import org.nasbert.space.Architecture;
import org.nasbert.space.BlockPath;
import org.nasbert.space.Op;
import org.nasbert.supernet.OpModules;
import org.nasbert.supernet.SupernetBlock;
import org.nasbert.teacher.BertModel;
import org.nasbert.teacher.BertWeights;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Weights inherited from the trained supernet and the teacher, computing exactly what the search scored: the
 * teacher's embeddings, block 0's input projection, the chosen ops' shared weights, between blocks the
 * supernet's output projection of one block composed with the input projection of the next (one linear map,
 * h_n to h_{n+1}), and the last block's output projection back to the teacher's width.
 */
final class StudentInheritance {
    private StudentInheritance() {
    }

    static StudentModel inherited(Architecture a, SupernetBlock[] supernet, BertWeights teacher, boolean maskedLmHead) {
        if (maskedLmHead && !teacher.hasMlmHead()) {
            throw new IllegalArgumentException("the teacher " + teacher.config() + " has no masked-LM head to inherit");
        }
        if (supernet.length != a.blocks().size()) {
            throw new IllegalArgumentException("architecture " + a + " has " + a.blocks().size() + " blocks, the supernet "
                    + supernet.length);
        }
        int ffnRatio = supernet[0].space().ffnRatio();
        Random unused = new Random(0);
        List<List<Parameterized<Table>>> blocks = new ArrayList<>();
        Dense[] between = new Dense[a.blocks().size() - 1];
        for (int n = 0; n < a.blocks().size(); n++) {
            BlockPath path = a.blocks().get(n);
            List<Parameterized<Table>> ops = new ArrayList<>();
            for (int layer = 0; layer < path.ops().size(); layer++) {
                Op op = path.ops().get(layer);
                if (!op.isIdentity()) {
                    Parameterized<Table> module = OpModules.build(op, path.hidden(), ffnRatio, unused);
                    copy(supernet[n].flatten(SupernetBlock.opName(path.hidden(), layer, op), false), module);
                    ops.add(module);
                }
            }
            blocks.add(ops);
            if (n + 1 < a.blocks().size()) {
                between[n] = compose(projection(supernet[n], SupernetBlock.outName(path.hidden())),
                        projection(supernet[n + 1], SupernetBlock.inName(a.blocks().get(n + 1).hidden())));
            }
        }
        int first = a.blocks().get(0).hidden();
        int last = a.blocks().get(a.blocks().size() - 1).hidden();
        BertEmbeddings embeddings = BertModel.embeddings(teacher);
        MaskedLmHead head = !maskedLmHead ? null : FreshStudent.tiedHead(embeddings,
                new Dense(copy(teacher, "cls.predictions.transform.dense.weight"), copy(teacher, "cls.predictions.transform.dense.bias")),
                new LayerNorm(copy(teacher, "cls.predictions.transform.LayerNorm.weight"),
                        copy(teacher, "cls.predictions.transform.LayerNorm.bias"), teacher.config().layerNormEps),
                copy(teacher, "cls.predictions.bias"));
        return new StudentModel(a, embeddings, projection(supernet[0], SupernetBlock.inName(first)), blocks,
                between, projection(supernet[a.blocks().size() - 1], SupernetBlock.outName(last)), head);
    }

    private static Tensor<Float> copy(BertWeights w, String name) {
        return BigDl.tensor(w.get(name).data().clone(), w.get(name).shape());
    }

    private static Dense projection(SupernetBlock block, String group) {
        Dense d = (Dense) block.group(group);
        return new Dense(d.weight().clone(), d.bias().clone());
    }

    /** {@code second(first(x))} as one linear map: W = W2 W1, b = W2 b1 + b2 (products in double). */
    static Dense compose(Dense first, Dense second) {
        int in = first.inputSize();
        int mid = first.outputSize();
        int out = second.outputSize();
        float[] w1 = Tensors.copyOf(first.weight());
        float[] b1 = Tensors.copyOf(first.bias());
        float[] w2 = Tensors.copyOf(second.weight());
        float[] b2 = Tensors.copyOf(second.bias());
        float[] w = new float[out * in];
        float[] b = new float[out];
        for (int o = 0; o < out; o++) {
            double bias = b2[o];
            double[] row = new double[in];
            for (int m = 0; m < mid; m++) {
                double c = w2[o * mid + m];
                bias += c * b1[m];
                for (int i = 0; i < in; i++) {
                    row[i] += c * w1[m * in + i];
                }
            }
            for (int i = 0; i < in; i++) {
                w[o * in + i] = (float) row[i];
            }
            b[o] = (float) bias;
        }
        return new Dense(BigDl.tensor(w, out, in), BigDl.tensor(b, out));
    }

    /** Loads a supernet group's flattened weights into a module of the same kind (same parameter order). */
    private static void copy(float[] values, Parameterized<?> module) {
        int at = 0;
        for (Tensor<Float> t : module.parameters()._1()) {
            System.arraycopy(values, at, Tensors.data(t), Tensors.offset(t), t.nElement());
            at += t.nElement();
        }
        if (at != values.length) {
            throw new IllegalArgumentException(values.length + " values for a module of " + at + " weights");
        }
    }
}
