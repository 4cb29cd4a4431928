package org.nasbert.onnx;

import org.nasbert.Version;
import org.nasbert.space.Architecture;
import org.nasbert.space.BlockPath;
import org.nasbert.space.Op;
import org.nasbert.space.SearchSpace;

import java.util.Map;

/**
 * The ONNX form of a student's pieces, from plain named weights ({@code [out, in]} for linear maps, as the BigDL
 * modules hold them): embeddings summed then LayerNorm; each op as {@code LayerNorm(x + op(x))}; attention's padded
 * keys get -1e9 before the softmax (weight exactly 0); the separable convolution zeroes padded positions, convolves
 * depthwise (Conv with group = width, "same" padding), projects pointwise and applies GELU in its exact erf form.
 * Whole students ({@code StudentOnnx}) and the latency table's parts ({@code OrtParts}) are written by this one class,
 * so the parts timed are the pieces served.
 */
public final class EncoderGraph {
    /** BERT's LayerNorm epsilon, as the BigDL op modules use it. */
    public static final float EPS = 1e-12f;
    private static final float MASKED = -1e9f;

    private final OnnxBuilder g = new OnnxBuilder();
    private final Map<String, Weight> w;
    private String maskAdd;
    private String mask3;

    /** A named weight: row-major values and shape. */
    public static final class Weight {
        final float[] values;
        final int[] shape;

        public Weight(float[] values, int... shape) {
            this.values = values;
            this.shape = shape;
        }
    }

    public EncoderGraph(Map<String, Weight> weights) {
        this.w = weights;
    }

    /** The weight of the task head (a linear map from the mean over real tokens to the logits) of a classifier. */
    public static final String HEAD = "task_head";

    /**
     * A whole student (inputs {@code input_ids}, {@code attention_mask}, {@code token_type_ids}, int64 [batch, sequence];
     * output {@code last_hidden_state}) from weights named as StudentModel names them ({@code embeddings.*}, {@code
     * input.*}, {@code blocks.<n>.ops.<k>.<op>.p<j>}, {@code between.<n>.*}, {@code output.*}); with {@code outputs} > 0
     * also {@code logits} [batch, outputs] through {@value #HEAD}.
     */
    public static byte[] student(Map<String, Weight> weights, Architecture a, float embeddingEps, int outputWidth, int outputs) {
        EncoderGraph e = new EncoderGraph(weights);
        OnnxBuilder g = e.g;
        String ids = g.input("input_ids", OnnxBuilder.INT64, "batch", "sequence");
        String mask = g.input("attention_mask", OnnxBuilder.INT64, "batch", "sequence");
        String types = g.input("token_type_ids", OnnxBuilder.INT64, "batch", "sequence");
        e.masks(mask);
        String h = e.dense(e.embeddings(ids, types, embeddingEps), "input");
        for (int n = 0; n < a.blocks().size(); n++) {
            BlockPath path = a.blocks().get(n);
            int k = 0;
            for (Op op : path.ops()) {
                if (!op.isIdentity()) {
                    h = e.op(h, "blocks." + n + ".ops." + (k++) + "." + op + ".p", op, path.hidden());
                }
            }
            h = e.dense(h, "between." + n);
        }
        h = e.dense(h, "output");
        int width = outputWidth != 0 ? outputWidth : a.blocks().get(a.blocks().size() - 1).hidden();
        g.alias(h, "last_hidden_state");
        g.output("last_hidden_state", OnnxBuilder.FLOAT, "batch", "sequence", width);
        if (outputs > 0) {
            g.alias(e.linear(e.meanOverRealTokens(h), HEAD + ".weight", HEAD + ".bias"), "logits");
            g.output("logits", OnnxBuilder.FLOAT, "batch", outputs);
        }
        return g.model("nasbert-student", "nasbert-spark", Version.VERSION);
    }

    public OnnxBuilder builder() {
        return g;
    }

    /** The attention mask (int64 [batch, sequence]) as the additive and multiplicative terms the ops read. */
    public void masks(String mask) {
        String m = g.node("Cast", new String[]{mask}, OnnxBuilder.attr("to", (long) OnnxBuilder.FLOAT));
        String padding = g.node("Sub", new String[]{g.constant(1f), m});
        maskAdd = g.node("Unsqueeze", new String[]{g.node("Mul", new String[]{padding, g.constant(MASKED)}), g.int64s(false, 1, 2)});
        mask3 = g.node("Unsqueeze", new String[]{m, g.int64s(false, 2)});
    }

    /** Word + position + token type embeddings ({@code embeddings.*}), then LayerNorm. */
    public String embeddings(String ids, String types, float eps) {
        String word = g.node("Gather", new String[]{weights("embeddings.word_embeddings.weight", false), ids});
        String type = g.node("Gather", new String[]{weights("embeddings.token_type_embeddings.weight", false), types});
        // position ids 0..n-1 per row as a cumulative sum of ones shaped like the ids: unlike Range over Shape, this keeps
        // the symbolic [batch, sequence] shape through shape inference, which ONNX Runtime's fusions of the layers need
        // (with Range, no Add + LayerNormalization of the student fused, and whole students ran 10% over their parts)
        String ones = g.node("Add", new String[]{g.node("Mul", new String[]{ids, g.int64s(true, 0)}), g.int64s(true, 1)});
        String positions = g.node("Sub", new String[]{g.node("CumSum", new String[]{ones, g.int64s(true, 1)}), g.int64s(true, 1)});
        String position = g.node("Gather", new String[]{weights("embeddings.position_embeddings.weight", false), positions});
        String sum = g.node("Add", new String[]{g.node("Add", new String[]{word, position}), type});
        return layerNorm(sum, "embeddings.LayerNorm.weight", "embeddings.LayerNorm.bias", eps);
    }

    /** {@code LayerNorm(x + op(x))} with the op's weights {@code <p>0, <p>1, ...} in the BigDL module's order. */
    public String op(String x, String p, Op op, int hidden) {
        String y;
        int norm;
        switch (op.kind()) {
            case MHA:
                y = attention(x, p, hidden, SearchSpace.heads(hidden));
                norm = 8;
                break;
            case FFN:
                y = linear(gelu(linear(x, p + 0, p + 1)), p + 2, p + 3);
                norm = 4;
                break;
            case SEP_CONV:
                y = separableConv(x, p, hidden, op.kernel());
                norm = 4;
                break;
            default:
                throw new IllegalArgumentException("no ONNX form for " + op);
        }
        return layerNorm(g.node("Add", new String[]{x, y}), p + norm, p + (norm + 1), EPS);
    }

    /** [batch, sequence, width] to [batch, width]: the sum over real tokens divided by their count. */
    public String meanOverRealTokens(String h) {
        String sum = g.node("ReduceSum", new String[]{g.node("Mul", new String[]{h, mask3}), g.int64s(false, 1)},
                OnnxBuilder.attr("keepdims", 0L));
        String count = g.node("ReduceSum", new String[]{g.node("Squeeze", new String[]{mask3, g.int64s(false, 2)}), g.int64s(false, 1)},
                OnnxBuilder.attr("keepdims", 1L));
        return g.node("Div", new String[]{sum, count});
    }

    /** A named linear map ({@code <name>.weight}, {@code <name>.bias}) if the weights have it, else x unchanged. */
    public String dense(String x, String name) {
        return w.containsKey(name + ".weight") ? linear(x, name + ".weight", name + ".bias") : x;
    }

    /** x W^T + b with W stored [out, in]: MatMul with the transposed [in, out] initializer. */
    public String linear(String x, String weight, String bias) {
        return g.node("Add", new String[]{g.node("MatMul", new String[]{x, weights(weight, true)}), weights(bias, false)});
    }

    private String attention(String x, String p, int hidden, int heads) {
        long size = hidden / heads;
        String split = g.int64s(false, 0, 0, heads, size);
        String q = g.node("Transpose", new String[]{g.node("Reshape", new String[]{linear(x, p + 0, p + 1), split})},
                OnnxBuilder.attr("perm", new long[]{0, 2, 1, 3}));
        String k = g.node("Transpose", new String[]{g.node("Reshape", new String[]{linear(x, p + 2, p + 3), split})},
                OnnxBuilder.attr("perm", new long[]{0, 2, 3, 1}));
        String v = g.node("Transpose", new String[]{g.node("Reshape", new String[]{linear(x, p + 4, p + 5), split})},
                OnnxBuilder.attr("perm", new long[]{0, 2, 1, 3}));
        String scores = g.node("Mul", new String[]{g.node("MatMul", new String[]{q, k}), g.constant((float) (1 / Math.sqrt(size)))});
        String probs = g.node("Softmax", new String[]{g.node("Add", new String[]{scores, maskAdd})}, OnnxBuilder.attr("axis", -1L));
        String context = g.node("Transpose", new String[]{g.node("MatMul", new String[]{probs, v})},
                OnnxBuilder.attr("perm", new long[]{0, 2, 1, 3}));
        String merged = g.node("Reshape", new String[]{context, g.int64s(false, 0, 0, hidden)});
        return linear(merged, p + 6, p + 7);
    }

    private String separableConv(String x, String p, int hidden, int kernel) {
        String masked = g.node("Mul", new String[]{x, mask3});
        String channels = g.node("Transpose", new String[]{masked}, OnnxBuilder.attr("perm", new long[]{0, 2, 1}));
        String kernelWeights = g.weights(p + "0", weight(p + 0).values, hidden, 1, kernel);
        String conv = g.node("Conv", new String[]{channels, kernelWeights, weights(p + 1, false)},
                OnnxBuilder.attr("group", (long) hidden), OnnxBuilder.attr("kernel_shape", new long[]{kernel}),
                OnnxBuilder.attr("pads", new long[]{kernel / 2, kernel / 2}));
        String back = g.node("Transpose", new String[]{conv}, OnnxBuilder.attr("perm", new long[]{0, 2, 1}));
        // shape inference loses the sequence length through Conv; stated, ONNX Runtime fuses the op's Add + LayerNorm
        g.shape(back, OnnxBuilder.FLOAT, "batch", "sequence", hidden);
        return gelu(linear(back, p + 2, p + 3));
    }

    /** 0.5 x (1 + erf(x / sqrt 2)), as nn.Gelu computes it. */
    private String gelu(String x) {
        String erf = g.node("Erf", new String[]{g.node("Mul", new String[]{x, g.constant((float) (1 / Math.sqrt(2)))})});
        return g.node("Mul", new String[]{g.node("Mul", new String[]{x, g.constant(0.5f)}), g.node("Add", new String[]{erf, g.constant(1f)})});
    }

    private String layerNorm(String x, String gamma, String beta, float eps) {
        return g.node("LayerNormalization", new String[]{x, weights(gamma, false), weights(beta, false)},
                OnnxBuilder.attr("axis", -1L), OnnxBuilder.attr("epsilon", eps));
    }

    private Weight weight(String name) {
        Weight t = w.get(name);
        if (t == null) {
            throw new IllegalStateException("the student has no weight " + name);
        }
        return t;
    }

    private String weights(String name, boolean transpose) {
        Weight t = weight(name);
        if (transpose) {
            int out = t.shape[0];
            int in = t.shape[1];
            float[] tr = new float[t.values.length];
            for (int o = 0; o < out; o++) {
                for (int i = 0; i < in; i++) {
                    tr[i * out + o] = t.values[o * in + i];
                }
            }
            return g.weights(name + ".T", tr, in, out);
        }
        long[] dims = new long[t.shape.length];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = t.shape[i];
        }
        return g.weights(name, t.values, dims);
    }
}
