package org.nasbert.latency;

import org.nasbert.Version;
import org.nasbert.onnx.EncoderGraph;
import org.nasbert.onnx.OnnxBuilder;
import org.nasbert.space.Architecture;
import org.nasbert.space.BlockPath;
import org.nasbert.space.Op;
import org.nasbert.space.StudentSize;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * The latency table's parts as small ONNX models, written by the students' own exporter ({@link EncoderGraph}) with
 * fresh weights: an op ({@code hidden_states}, {@code attention_mask} in, {@code out} out), the embeddings ({@code
 * input_ids}, {@code token_type_ids} in), a projection, the classifier head (mean over real tokens, then logits), and
 * whole students as export writes them. Plain Java: no BigDL, so the serving-machine probe carries none.
 */
public final class OrtParts {
    private final int ffnRatio;
    private final int vocab;
    private final int positions;
    private final Random random;

    public OrtParts(int ffnRatio, int vocab, int positions, long seed) {
        this.ffnRatio = ffnRatio;
        this.vocab = vocab;
        this.positions = positions;
        this.random = new Random(seed);
    }

    public byte[] op(Op op, int hidden) {
        Map<String, EncoderGraph.Weight> w = new LinkedHashMap<>();
        opWeights(w, "p", op, hidden);
        EncoderGraph e = new EncoderGraph(w);
        OnnxBuilder g = e.builder();
        String x = g.input("hidden_states", OnnxBuilder.FLOAT, "batch", "sequence", hidden);
        e.masks(g.input("attention_mask", OnnxBuilder.INT64, "batch", "sequence"));
        return model(e, e.op(x, "p", op, hidden), hidden);
    }

    public byte[] embeddings(int hidden) {
        Map<String, EncoderGraph.Weight> w = new LinkedHashMap<>();
        embeddingWeights(w, hidden);
        EncoderGraph e = new EncoderGraph(w);
        OnnxBuilder g = e.builder();
        String ids = g.input("input_ids", OnnxBuilder.INT64, "batch", "sequence");
        String types = g.input("token_type_ids", OnnxBuilder.INT64, "batch", "sequence");
        return model(e, e.embeddings(ids, types, EncoderGraph.EPS), hidden);
    }

    public byte[] projection(int from, int to) {
        Map<String, EncoderGraph.Weight> w = new LinkedHashMap<>();
        linear(w, "p", from, to);
        EncoderGraph e = new EncoderGraph(w);
        String x = e.builder().input("hidden_states", OnnxBuilder.FLOAT, "batch", "sequence", from);
        return model(e, e.dense(x, "p"), to);
    }

    /** What classifier.onnx adds to the encoder: the mean over real tokens and a linear map to {@code outputs} logits. */
    public byte[] head(int hidden, int outputs) {
        Map<String, EncoderGraph.Weight> w = new LinkedHashMap<>();
        linear(w, EncoderGraph.HEAD, hidden, outputs);
        EncoderGraph e = new EncoderGraph(w);
        OnnxBuilder g = e.builder();
        String x = g.input("hidden_states", OnnxBuilder.FLOAT, "batch", "sequence", hidden);
        e.masks(g.input("attention_mask", OnnxBuilder.INT64, "batch", "sequence"));
        String logits = e.dense(e.meanOverRealTokens(x), EncoderGraph.HEAD);
        g.alias(logits, "out");
        g.output("out", OnnxBuilder.FLOAT, "batch", outputs);
        return g.model("nasbert-latency-part", "nasbert-spark", Version.VERSION);
    }

    /** A whole classifier as export writes it: embeddings of {@code embeddingSize} (0: block 0's width), blocks, head. */
    public byte[] student(Architecture a, int embeddingSize, int outputs) {
        return student(a, embeddingSize, outputs, 0);
    }

    /** As {@link #student(Architecture, int, int)}, with an output projection to {@code outputWidth} (0: none). */
    public byte[] student(Architecture a, int embeddingSize, int outputs, int outputWidth) {
        Map<String, EncoderGraph.Weight> w = new LinkedHashMap<>();
        int first = a.blocks().get(0).hidden();
        int e = StudentSize.embeddingWidth(embeddingSize, first);
        embeddingWeights(w, e);
        if (e != first) {
            linear(w, "input", e, first);
        }
        for (int n = 0; n < a.blocks().size(); n++) {
            BlockPath path = a.blocks().get(n);
            int k = 0;
            for (Op op : path.ops()) {
                if (!op.isIdentity()) {
                    opWeights(w, "blocks." + n + ".ops." + (k++) + "." + op + ".p", op, path.hidden());
                }
            }
            if (n + 1 < a.blocks().size() && a.blocks().get(n + 1).hidden() != path.hidden()) {
                linear(w, "between." + n, path.hidden(), a.blocks().get(n + 1).hidden());
            }
        }
        int last = a.blocks().get(a.blocks().size() - 1).hidden();
        if (outputWidth != 0) {
            linear(w, "output", last, outputWidth);
        }
        linear(w, EncoderGraph.HEAD, outputWidth != 0 ? outputWidth : last, outputs);
        return EncoderGraph.student(w, a, EncoderGraph.EPS, outputWidth, outputs);
    }

    private static byte[] model(EncoderGraph e, String out, int width) {
        OnnxBuilder g = e.builder();
        g.alias(out, "out");
        g.output("out", OnnxBuilder.FLOAT, "batch", "sequence", width);
        return g.model("nasbert-latency-part", "nasbert-spark", Version.VERSION);
    }

    /** The op's weights in its BigDL module's parameter order, then the LayerNorm's. */
    private void opWeights(Map<String, EncoderGraph.Weight> w, String p, Op op, int h) {
        int j = 0;
        switch (op.kind()) {
            case MHA:
                for (int i = 0; i < 4; i++) {
                    w.put(p + j++, normal(h, h));
                    w.put(p + j++, normal(h));
                }
                break;
            case FFN:
                w.put(p + j++, normal(ffnRatio * h, h));
                w.put(p + j++, normal(ffnRatio * h));
                w.put(p + j++, normal(h, ffnRatio * h));
                w.put(p + j++, normal(h));
                break;
            case SEP_CONV:
                w.put(p + j++, normal(h, 1, op.kernel()));
                w.put(p + j++, normal(h));
                w.put(p + j++, normal(h, h));
                w.put(p + j++, normal(h));
                break;
            default:
                throw new IllegalArgumentException("identity has no part to time");
        }
        w.put(p + j++, constant(1f, h));
        w.put(p + j, constant(0f, h));
    }

    private void embeddingWeights(Map<String, EncoderGraph.Weight> w, int h) {
        w.put("embeddings.word_embeddings.weight", normal(vocab, h));
        w.put("embeddings.position_embeddings.weight", normal(positions, h));
        w.put("embeddings.token_type_embeddings.weight", normal(2, h));
        w.put("embeddings.LayerNorm.weight", constant(1f, h));
        w.put("embeddings.LayerNorm.bias", constant(0f, h));
    }

    private void linear(Map<String, EncoderGraph.Weight> w, String name, int in, int out) {
        w.put(name + ".weight", normal(out, in));
        w.put(name + ".bias", normal(out));
    }

    private EncoderGraph.Weight normal(int... shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (random.nextGaussian() * 0.02);
        }
        return new EncoderGraph.Weight(v, shape);
    }

    private static EncoderGraph.Weight constant(float value, int n) {
        float[] v = new float[n];
        java.util.Arrays.fill(v, value);
        return new EncoderGraph.Weight(v, n);
    }
}
