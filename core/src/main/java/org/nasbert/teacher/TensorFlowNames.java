package org.nasbert.teacher;

import org.nasbert.teacher.checkpoint.TfBundle;
import org.nasbert.teacher.checkpoint.WeightTensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Google BERT's TensorFlow variable names mapped to Hugging Face's: {@code bert/encoder/layer_3/attention/self/query/kernel}
 * becomes {@code bert.encoder.layer.3.attention.self.query.weight}, transposed from [in, out] to [out, in].
 * A hub-module prefix ({@code module/}) is dropped; optimiser slots and non-float variables are skipped.
 */
final class TensorFlowNames {
    private TensorFlowNames() {
    }

    static Map<String, WeightTensor> read(TfBundle bundle) {
        Map<String, WeightTensor> named = new LinkedHashMap<>();
        for (String variable : bundle.shapes().keySet()) {
            if (!bundle.isFloat(variable) || variable.endsWith("adam_m") || variable.endsWith("adam_v")
                    || variable.contains("global_step")) {
                continue;
            }
            String name = canonical(variable);
            WeightTensor t = bundle.read(variable);
            named.put(name, variable.endsWith("/kernel") ? t.transposed(name) : t.renamed(name));
        }
        return named;
    }

    /**
     * The sizes of a bundle's BERT from its variables' shapes alone (as {@link BertWeights#inferConfig} from the tensors:
     * heads = hidden / 64, epsilon 1e-12), without reading any weight.
     */
    static BertConfig inferConfig(Map<String, int[]> shapes, String source) {
        Map<String, int[]> named = new LinkedHashMap<>();
        shapes.forEach((variable, shape) -> named.put(canonical(variable), shape));
        int[] word = require(named, "bert.embeddings.word_embeddings.weight", source);
        int[] positions = require(named, "bert.embeddings.position_embeddings.weight", source);
        int[] types = require(named, "bert.embeddings.token_type_embeddings.weight", source);
        int[] inner = require(named, "bert.encoder.layer.0.intermediate.dense.weight", source); // a kernel: [in, out]
        int layers = 0;
        while (named.containsKey("bert.encoder.layer." + layers + ".intermediate.dense.weight")) {
            layers++;
        }
        return new BertConfig(word[0], word[1], layers, Math.max(1, word[1] / 64), inner[1], positions[0], types[0], 1e-12f);
    }

    private static int[] require(Map<String, int[]> named, String name, String source) {
        int[] shape = named.get(name);
        if (shape == null || shape.length != 2) {
            throw new org.nasbert.teacher.checkpoint.CheckpointException(source + ": no matrix '" + name + "'; not a BERT checkpoint?");
        }
        return shape;
    }

    static String canonical(String variable) {
        String n = variable.startsWith("module/") ? variable.substring("module/".length()) : variable;
        n = n.replace('/', '.').replaceAll("layer_(\\d+)", "layer.$1");
        if (n.endsWith("_embeddings")) {
            return n + ".weight";
        }
        if (n.equals("cls.predictions.output_bias")) {
            return "cls.predictions.bias";
        }
        if (n.equals("cls.seq_relationship.output_weights")) {
            return "cls.seq_relationship.weight";
        }
        if (n.equals("cls.seq_relationship.output_bias")) {
            return "cls.seq_relationship.bias";
        }
        if (n.endsWith(".kernel")) {
            return n.substring(0, n.length() - ".kernel".length()) + ".weight";
        }
        return BertWeights.canonicalName(n);
    }
}
