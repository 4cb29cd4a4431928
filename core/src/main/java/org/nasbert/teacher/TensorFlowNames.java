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
