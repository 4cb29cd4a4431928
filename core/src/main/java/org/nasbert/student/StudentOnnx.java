package org.nasbert.student;

import com.intel.analytics.bigdl.tensor.Tensor;
import org.nasbert.Version;
import org.nasbert.nn.Dense;
import org.nasbert.onnx.OnnxBuilder;
import org.nasbert.nn.Tensors;
import org.nasbert.space.Architecture;
import org.nasbert.space.BlockPath;
import org.nasbert.space.Op;
import org.nasbert.space.SearchSpace;
import org.nasbert.supernet.OpModules;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A student as an ONNX model (opset 17) that any ONNX runtime runs: inputs {@code input_ids}, {@code attention_mask},
 * {@code token_type_ids} (int64 [batch, sequence]), output {@code last_hidden_state} (float [batch, sequence, width]).
 * The graph spells out exactly what the BigDL modules compute: embeddings summed then LayerNorm; each op as
 * {@code LayerNorm(x + op(x))}; attention's padded keys get -1e9 before the softmax (weight exactly 0); the separable
 * convolution zeroes padded positions, convolves depthwise (Conv with group = width, "same" padding), projects
 * pointwise and applies GELU in its exact erf form.
 */
public final class StudentOnnx {
    public static final String FILE = "model.onnx";
    /** A fine-tuned student with its task head. */
    public static final String CLASSIFIER_FILE = "classifier.onnx";
    private static final String HEAD = "task_head";
    private static final float MASKED = -1e9f;

    private final OnnxBuilder g = new OnnxBuilder();
    private final Map<String, Tensor<Float>> w;
    private String maskAdd;
    private String mask3;

    private StudentOnnx(StudentModel student, Dense head) {
        this.w = new java.util.LinkedHashMap<>(student.namedWeights());
        if (head != null) {
            w.put(HEAD + ".weight", head.weight());
            w.put(HEAD + ".bias", head.bias());
        }
    }

    /** The serialized ModelProto. */
    public static byte[] of(StudentModel student) {
        return new StudentOnnx(student, null).build(student, 0);
    }

    /**
     * A fine-tuned student and its task head (TaskHead: the mean of the states over real tokens, then {@code head}):
     * outputs {@code last_hidden_state} and {@code logits} (float [batch, outputs]).
     */
    public static byte[] withTaskHead(StudentModel student, Dense head) {
        return new StudentOnnx(student, head).build(student, head.outputSize());
    }

    private byte[] build(StudentModel s, int outputs) {
        String ids = g.input("input_ids", OnnxBuilder.INT64, "batch", "sequence");
        String mask = g.input("attention_mask", OnnxBuilder.INT64, "batch", "sequence");
        String types = g.input("token_type_ids", OnnxBuilder.INT64, "batch", "sequence");
        masks(mask);
        String h = embeddings(ids, types, s.embeddingEps());
        h = dense(h, "input");
        Architecture a = s.architecture();
        for (int n = 0; n < a.blocks().size(); n++) {
            BlockPath path = a.blocks().get(n);
            int k = 0;
            for (Op op : path.ops()) {
                if (!op.isIdentity()) {
                    h = op(h, "blocks." + n + ".ops." + (k++) + "." + op + ".p", op, path.hidden());
                }
            }
            h = dense(h, "between." + n);
        }
        h = dense(h, "output");
        int width = s.outputWidth() != 0 ? s.outputWidth() : a.blocks().get(a.blocks().size() - 1).hidden();
        g.alias(h, "last_hidden_state");
        g.output("last_hidden_state", OnnxBuilder.FLOAT, "batch", "sequence", width);
        if (outputs > 0) {
            g.alias(linear(meanOverRealTokens(h), HEAD + ".weight", HEAD + ".bias"), "logits");
            g.output("logits", OnnxBuilder.FLOAT, "batch", outputs);
        }
        return g.model("nasbert-student", "nasbert-spark", Version.VERSION);
    }

    /** [batch, sequence, width] to [batch, width]: the sum over real tokens divided by their count. */
    private String meanOverRealTokens(String h) {
        String sum = g.node("ReduceSum", new String[]{g.node("Mul", new String[]{h, mask3}), g.int64s(false, 1)},
                OnnxBuilder.attr("keepdims", 0L));
        String count = g.node("ReduceSum", new String[]{g.node("Squeeze", new String[]{mask3, g.int64s(false, 2)}), g.int64s(false, 1)},
                OnnxBuilder.attr("keepdims", 1L));
        return g.node("Div", new String[]{sum, count});
    }

    /** The attention mask as an additive [batch, 1, 1, sequence] term and as a multiplicative [batch, sequence, 1] one. */
    private void masks(String mask) {
        String m = g.node("Cast", new String[]{mask}, OnnxBuilder.attr("to", (long) OnnxBuilder.FLOAT));
        String padding = g.node("Sub", new String[]{g.constant(1f), m});
        maskAdd = g.node("Unsqueeze", new String[]{g.node("Mul", new String[]{padding, g.constant(MASKED)}), g.int64s(false, 1, 2)});
        mask3 = g.node("Unsqueeze", new String[]{m, g.int64s(false, 2)});
    }

    private String embeddings(String ids, String types, float eps) {
        String word = g.node("Gather", new String[]{weights("embeddings.word_embeddings.weight", false), ids});
        String type = g.node("Gather", new String[]{weights("embeddings.token_type_embeddings.weight", false), types});
        String length = g.node("Gather", new String[]{g.node("Shape", new String[]{ids}), g.int64s(true, 1)});
        String positions = g.node("Range", new String[]{g.int64s(true, 0), length, g.int64s(true, 1)});
        String position = g.node("Gather", new String[]{weights("embeddings.position_embeddings.weight", false), positions});
        String sum = g.node("Add", new String[]{g.node("Add", new String[]{word, position}), type});
        return layerNorm(sum, "embeddings.LayerNorm.weight", "embeddings.LayerNorm.bias", eps);
    }

    private String op(String x, String p, Op op, int hidden) {
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
        return layerNorm(g.node("Add", new String[]{x, y}), p + norm, p + (norm + 1), OpModules.EPS);
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
        float[] depthwise = Tensors.copyOf(w.get(p + 0));
        String kernelWeights = g.weights(p + "0", depthwise, hidden, 1, kernel);
        String conv = g.node("Conv", new String[]{channels, kernelWeights, weights(p + 1, false)},
                OnnxBuilder.attr("group", (long) hidden), OnnxBuilder.attr("kernel_shape", new long[]{kernel}),
                OnnxBuilder.attr("pads", new long[]{kernel / 2, kernel / 2}));
        String back = g.node("Transpose", new String[]{conv}, OnnxBuilder.attr("perm", new long[]{0, 2, 1}));
        return gelu(linear(back, p + 2, p + 3));
    }

    /** 0.5 x (1 + erf(x / sqrt 2)), as nn.Gelu computes it. */
    private String gelu(String x) {
        String erf = g.node("Erf", new String[]{g.node("Mul", new String[]{x, g.constant((float) (1 / Math.sqrt(2)))})});
        return g.node("Mul", new String[]{g.node("Mul", new String[]{x, g.constant(0.5f)}), g.node("Add", new String[]{erf, g.constant(1f)})});
    }

    /** A named Dense module ({@code <name>.weight}, {@code <name>.bias}) if the student has it, else x unchanged. */
    private String dense(String x, String name) {
        return w.containsKey(name + ".weight") ? linear(x, name + ".weight", name + ".bias") : x;
    }

    /** x W^T + b with W stored [out, in]: MatMul with the transposed [in, out] initializer. */
    private String linear(String x, String weight, String bias) {
        return g.node("Add", new String[]{g.node("MatMul", new String[]{x, weights(weight, true)}), weights(bias, false)});
    }

    private String layerNorm(String x, String gamma, String beta, float eps) {
        return g.node("LayerNormalization", new String[]{x, weights(gamma, false), weights(beta, false)},
                OnnxBuilder.attr("axis", -1L), OnnxBuilder.attr("epsilon", eps));
    }

    private String weights(String name, boolean transpose) {
        Tensor<Float> t = w.get(name);
        if (t == null) {
            throw new IllegalStateException("the student has no weight " + name);
        }
        float[] v = Tensors.copyOf(t);
        int[] shape = t.size();
        if (transpose) {
            int out = shape[0];
            int in = shape[1];
            float[] tr = new float[v.length];
            for (int o = 0; o < out; o++) {
                for (int i = 0; i < in; i++) {
                    tr[i * out + o] = v[o * in + i];
                }
            }
            return g.weights(name + ".T", tr, in, out);
        }
        long[] dims = new long[shape.length];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = shape[i];
        }
        return g.weights(name, v, dims);
    }
}
