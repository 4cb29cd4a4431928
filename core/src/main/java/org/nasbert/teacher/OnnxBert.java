package org.nasbert.teacher;

import org.nasbert.teacher.checkpoint.CheckpointException;
import org.nasbert.teacher.checkpoint.OnnxGraph;
import org.nasbert.teacher.checkpoint.WeightTensor;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A BERT encoder exported to ONNX (as sentence-transformers models are): named initializers for embeddings,
 * biases and LayerNorms, unnamed {@code MatMul} weights in [in, out] layout. Each MatMul weight is named after
 * the bias that the following Add applies; the number of heads comes from the attention's Reshape and the
 * LayerNorm epsilon from the constant added before its square root.
 */
final class OnnxBert {
    private OnnxBert() {
    }

    /** The model's tensors under canonical names and the config they imply ({@code config} wins when given). */
    static BertWeights read(byte[] model, String source, BertConfig config) {
        OnnxGraph graph = OnnxGraph.parse(model, source);
        Map<String, String> producers = new HashMap<>();
        Map<String, OnnxGraph.Node> producerNodes = new HashMap<>();
        Map<String, List<OnnxGraph.Node>> consumers = new HashMap<>();
        for (OnnxGraph.Node n : graph.nodes) {
            for (String out : n.outputs) {
                producers.put(out, n.opType);
                producerNodes.put(out, n);
            }
            for (String in : n.inputs) {
                consumers.computeIfAbsent(in, k -> new java.util.ArrayList<>()).add(n);
            }
        }
        Map<String, WeightTensor> named = new LinkedHashMap<>();
        Map<String, String> matmulNames = new HashMap<>();
        for (OnnxGraph.Node n : graph.nodes) {
            if ("MatMul".equals(n.opType) && n.inputs.size() == 2 && graph.initializers.containsKey(n.inputs.get(1))) {
                matmulNames.put(n.inputs.get(1), weightNameFor(n, consumers, graph, source));
            }
        }
        for (WeightTensor t : graph.initializers.values()) {
            String matmul = matmulNames.get(t.name());
            if (matmul != null) {
                named.put(matmul, t.transposed(matmul));
            } else if (t.name().startsWith("onnx::")) {
                throw new CheckpointException(source + ": initializer '" + t.name() + "' is not used as a MatMul weight "
                        + "followed by a named bias; cannot tell which BERT weight it is");
            } else {
                String c = BertWeights.canonicalName(t.name());
                named.put(c, t.renamed(c));
            }
        }
        BertConfig effective = config != null ? config
                : BertWeights.inferConfig(named, heads(graph, producerNodes, named, source), epsilon(graph, producerNodes), source);
        return BertWeights.of(effective, named, source);
    }

    private static String weightNameFor(OnnxGraph.Node matmul, Map<String, List<OnnxGraph.Node>> consumers, OnnxGraph graph,
                                        String source) {
        for (OnnxGraph.Node add : consumers.getOrDefault(matmul.outputs.get(0), java.util.Collections.emptyList())) {
            if (!"Add".equals(add.opType)) {
                continue;
            }
            for (String in : add.inputs) {
                if (graph.initializers.containsKey(in) && in.endsWith(".bias")) {
                    return BertWeights.canonicalName(in.substring(0, in.length() - 5) + ".weight");
                }
            }
        }
        throw new CheckpointException(source + ": MatMul weight '" + matmul.inputs.get(1) + "' is not followed by an Add "
                + "of a named bias; not a BERT-style export");
    }

    /** Heads from the attention's reshape to [batch, seq, heads, head_size]. */
    private static int heads(OnnxGraph graph, Map<String, OnnxGraph.Node> producers, Map<String, WeightTensor> named, String source) {
        WeightTensor word = named.get("bert.embeddings.word_embeddings.weight");
        int hidden = word == null || word.shape().length != 2 ? -1 : word.shape()[1];
        for (OnnxGraph.Node n : graph.nodes) {
            if (!"Reshape".equals(n.opType) || n.inputs.size() < 2) {
                continue;
            }
            OnnxGraph.Node shape = producers.get(n.inputs.get(1));
            double[] dims = null;
            if (shape != null && "Constant".equals(shape.opType)) {
                dims = shape.attribute("value");
            } else if (shape != null && "Concat".equals(shape.opType) && shape.inputs.size() == 4) {
                double[] a = constant(producers.get(shape.inputs.get(2)));
                double[] b = constant(producers.get(shape.inputs.get(3)));
                if (a != null && b != null && a.length == 1 && b.length == 1) {
                    dims = new double[]{0, 0, a[0], b[0]};
                }
            }
            if (dims != null && dims.length == 4 && dims[2] > 0 && dims[2] * dims[3] == hidden) {
                return (int) dims[2];
            }
        }
        throw new CheckpointException(source + ": cannot find the number of attention heads in the graph; "
                + "put a config.json (num_attention_heads) beside the model");
    }

    private static double[] constant(OnnxGraph.Node node) {
        return node != null && "Constant".equals(node.opType) ? node.attribute("value") : null;
    }

    /** LayerNorm epsilon: a LayerNormalization node's attribute, or the constant added to the variance. */
    private static float epsilon(OnnxGraph graph, Map<String, OnnxGraph.Node> producers) {
        for (OnnxGraph.Node n : graph.nodes) {
            if ("LayerNormalization".equals(n.opType) && n.attribute("epsilon") != null) {
                return (float) n.attribute("epsilon")[0];
            }
            if ("Sqrt".equals(n.opType)) {
                OnnxGraph.Node add = producers.get(n.inputs.get(0));
                if (add != null && "Add".equals(add.opType)) {
                    for (String in : add.inputs) {
                        double[] c = constant(producers.get(in));
                        if (c != null && c.length == 1 && c[0] > 0 && c[0] < 1e-3) {
                            return (float) c[0];
                        }
                    }
                }
            }
        }
        return 1e-12f;
    }
}
