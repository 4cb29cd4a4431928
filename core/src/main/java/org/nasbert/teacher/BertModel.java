package org.nasbert.teacher;

import com.intel.analytics.bigdl.tensor.Tensor;
import org.nasbert.engine.BigDl;
import org.nasbert.nn.BertEmbeddings;
import org.nasbert.nn.BertLayer;
import org.nasbert.nn.Dense;
import org.nasbert.nn.FeedForward;
import org.nasbert.nn.LayerNorm;
import org.nasbert.nn.MaskedLmHead;
import org.nasbert.nn.MultiHeadAttention;
import org.nasbert.nn.Tensors;
import org.nasbert.nn.TokenBatch;
import org.nasbert.teacher.checkpoint.WeightTensor;

import java.util.ArrayList;
import java.util.List;

/**
 * A BERT encoder assembled from the project's BigDL layers and a checkpoint's weights (shared, not
 * copied). {@link #forward} returns every hidden state: the embedding output and each layer's output, and
 * the masked-LM logits when the checkpoint has the head. Inference only: no dropout. Not thread-safe (the
 * layers keep their activations); use one instance per thread.
 */
public final class BertModel {
    private final BertConfig config;
    private final BertEmbeddings embeddings;
    private final List<BertLayer> layers = new ArrayList<>();
    private final MaskedLmHead head;

    public BertModel(BertWeights weights) {
        this.config = weights.config();
        float eps = config.layerNormEps;
        this.embeddings = embeddings(weights);
        for (int i = 0; i < config.numLayers; i++) {
            String p = BertWeights.layerPrefix(i);
            MultiHeadAttention attention = new MultiHeadAttention(config.numHeads, dense(weights, p + "attention.self.query"),
                    dense(weights, p + "attention.self.key"), dense(weights, p + "attention.self.value"),
                    dense(weights, p + "attention.output.dense"));
            FeedForward ffn = new FeedForward(dense(weights, p + "intermediate.dense"), dense(weights, p + "output.dense"));
            layers.add(new BertLayer(attention, norm(weights, p + "attention.output.LayerNorm", eps), ffn,
                    norm(weights, p + "output.LayerNorm", eps)));
        }
        this.head = !weights.hasMlmHead() ? null : new MaskedLmHead(dense(weights, "cls.predictions.transform.dense"),
                norm(weights, "cls.predictions.transform.LayerNorm", eps),
                new Dense(embeddings.wordEmbeddings(), t(weights, "cls.predictions.bias")));
    }

    /** The checkpoint's embedding layer on its own (word, position and segment tables, LayerNorm): students inherit it. */
    public static BertEmbeddings embeddings(BertWeights weights) {
        return new BertEmbeddings(t(weights, "bert.embeddings.word_embeddings.weight"),
                t(weights, "bert.embeddings.position_embeddings.weight"), t(weights, "bert.embeddings.token_type_embeddings.weight"),
                norm(weights, "bert.embeddings.LayerNorm", weights.config().layerNormEps));
    }

    public BertConfig config() {
        return config;
    }

    /** The embedding layer (word, position, segment tables and LayerNorm). */
    public BertEmbeddings embeddingLayer() {
        return embeddings;
    }

    /** Encoder layer i, 0-based. */
    public BertLayer layer(int i) {
        return layers.get(i);
    }

    public boolean hasMlmHead() {
        return head != null;
    }

    /** Hidden states and optional logits of one batch. The tensors are overwritten by the next forward. */
    public static final class Output {
        /** hidden[0] is the embedding output, hidden[i] layer i's output, each [batch, seq, hidden]. */
        public final List<Tensor<Float>> hidden;
        /** [batch, seq, vocab], or null without a masked-LM head (or when not asked for). */
        public final Tensor<Float> logits;

        Output(List<Tensor<Float>> hidden, Tensor<Float> logits) {
            this.hidden = hidden;
            this.logits = logits;
        }
    }

    /**
     * Runs the encoder. {@code ids[b][t]} token ids, {@code types[b][t]} segment ids (null = all 0), {@code lengths[b]}
     * the real tokens of sequence b (the rest is padding, masked out of attention). Layers after
     * {@code lastLayer} are not run (their states are absent from the output).
     */
    public Output forward(int[][] ids, int[][] types, int[] lengths, int lastLayer, boolean logits) {
        TokenBatch in = new TokenBatch(ids, types, lengths);
        Tensor<Float> mask = in.mask;
        List<Tensor<Float>> hidden = new ArrayList<>();
        Tensor<Float> h = embeddings.forward(Tensors.table(in.ids, in.types));
        hidden.add(h);
        int last = Math.min(lastLayer, layers.size());
        for (int i = 0; i < last; i++) {
            h = layers.get(i).forward(Tensors.table(h, mask));
            hidden.add(h);
        }
        Tensor<Float> out = logits && head != null && last == layers.size() ? head.forward(h) : null;
        return new Output(hidden, out);
    }

    /**
     * The hidden states after the given layers only (0 = embedding output), as copies, for inference at a
     * memory cost of about one layer's activations: each layer's state is released once the next has run.
     */
    public List<Tensor<Float>> statesAfter(int[][] ids, int[][] types, int[] lengths, int[] layersWanted) {
        TokenBatch in = new TokenBatch(ids, types, lengths);
        Tensor<Float> mask = in.mask;
        int last = 0;
        for (int l : layersWanted) {
            if (l < 0 || l > layers.size()) {
                throw new IllegalArgumentException("layer " + l + " of a " + layers.size() + "-layer model");
            }
            last = Math.max(last, l);
        }
        Tensor<Float>[] kept = newTensorArray(layers.size() + 1);
        Tensor<Float> h = embeddings.forward(Tensors.table(in.ids, in.types));
        kept[0] = h.clone();
        org.nasbert.nn.Parameterized<?> previous = embeddings;
        for (int i = 0; i < last; i++) {
            h = layers.get(i).forward(Tensors.table(h, mask));
            previous.clearState();
            previous = layers.get(i);
            kept[i + 1] = contains(layersWanted, i + 1) ? h.clone() : null;
        }
        previous.clearState();
        List<Tensor<Float>> out = new ArrayList<>();
        for (int l : layersWanted) {
            out.add(kept[l]);
        }
        return out;
    }

    /**
     * The masked-LM logits at the given places only ({@code batch[i]}, {@code position[i]}), [n, vocab], as a tensor of
     * its own: the [batch, seq, vocab] logits of every token are never formed.
     */
    public Tensor<Float> maskedLmLogits(int[][] ids, int[][] types, int[] lengths, int[] batch, int[] position) {
        if (head == null) {
            throw new IllegalStateException("the teacher has no masked-LM head");
        }
        Tensor<Float> states = statesAfter(ids, types, lengths, new int[]{layers.size()}).get(0);
        Tensor<Float> logits = head.forward(Tensors.gather(states, batch, position)).clone();
        head.clearState();
        return logits;
    }

    @SuppressWarnings("unchecked")
    private static Tensor<Float>[] newTensorArray(int n) {
        return new Tensor[n];
    }

    private static boolean contains(int[] values, int v) {
        for (int x : values) {
            if (x == v) {
                return true;
            }
        }
        return false;
    }

    /** A batch as the layers take it: ids, token types and the 1/0 padding mask, each [batch, seq]. */
    private static Tensor<Float> t(BertWeights w, String name) {
        WeightTensor x = w.get(name);
        return BigDl.tensor(x.data(), x.shape());
    }

    private static Dense dense(BertWeights w, String prefix) {
        return new Dense(t(w, prefix + ".weight"), t(w, prefix + ".bias"));
    }

    private static LayerNorm norm(BertWeights w, String prefix, float eps) {
        return new LayerNorm(t(w, prefix + ".weight"), t(w, prefix + ".bias"), eps);
    }
}
