package org.nasbert.student;

import com.intel.analytics.bigdl.tensor.Tensor;
import com.intel.analytics.bigdl.utils.Table;
import org.nasbert.nn.BertEmbeddings;
import org.nasbert.nn.Dense;
import org.nasbert.nn.Init;
import org.nasbert.nn.LayerNorm;
import org.nasbert.nn.MaskedLmHead;
import org.nasbert.nn.Parameterized;
import org.nasbert.nn.Tensors;
import org.nasbert.space.Architecture;
import org.nasbert.space.BlockPath;
import org.nasbert.space.Op;
import org.nasbert.supernet.OpModules;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** A student with fresh BERT-style weights (normal, std 0.02), drawn in one fixed order from one seed. */
final class FreshStudent {
    private FreshStudent() {
    }

    /** Where a linear map must follow block n: the next block's width differs. */
    static boolean[] widthChanges(Architecture a) {
        boolean[] links = new boolean[a.blocks().size() - 1];
        for (int n = 0; n < links.length; n++) {
            links[n] = a.blocks().get(n + 1).hidden() != a.blocks().get(n).hidden();
        }
        return links;
    }

    /** Fresh modules in a given shape: {@code links[n]} whether a linear map follows block n. */
    static StudentModel build(Architecture a, int embeddingSize, int vocab, int positions, int ffnRatio, long seed, boolean[] links,
                              int outputWidth, boolean maskedLmHead) {
        Random random = new Random(seed);
        BertEmbeddings embeddings = new BertEmbeddings(Init.normal(random, 0.02f, vocab, embeddingSize),
                Init.normal(random, 0.02f, positions, embeddingSize), Init.normal(random, 0.02f, 2, embeddingSize),
                new LayerNorm(embeddingSize, OpModules.EPS));
        int first = a.blocks().get(0).hidden();
        Dense input = embeddingSize == first ? null : new Dense(embeddingSize, first, random);
        List<List<Parameterized<Table>>> blocks = new ArrayList<>();
        Dense[] between = new Dense[a.blocks().size() - 1];
        for (int n = 0; n < a.blocks().size(); n++) {
            BlockPath path = a.blocks().get(n);
            List<Parameterized<Table>> ops = new ArrayList<>();
            for (Op op : path.ops()) {
                if (!op.isIdentity()) {
                    ops.add(OpModules.build(op, path.hidden(), ffnRatio, random));
                }
            }
            blocks.add(ops);
            if (n + 1 < a.blocks().size() && links[n]) {
                between[n] = new Dense(path.hidden(), a.blocks().get(n + 1).hidden(), random);
            }
        }
        int last = a.blocks().get(a.blocks().size() - 1).hidden();
        Dense output = outputWidth == 0 ? null : new Dense(last, outputWidth, random);
        MaskedLmHead head = !maskedLmHead ? null : tiedHead(embeddings, new Dense(outputWidth == 0 ? last : outputWidth,
                embeddingSize, random), new LayerNorm(embeddingSize, OpModules.EPS), Tensors.zeros(vocab));
        return new StudentModel(a, embeddings, input, blocks, between, output, head);
    }

    static MaskedLmHead tiedHead(BertEmbeddings embeddings, Dense transform, LayerNorm norm, Tensor<Float> bias) {
        return new MaskedLmHead(transform, norm, Dense.tied(embeddings.wordEmbeddings(), embeddings.wordGradient(), bias));
    }
}
