package org.nasbert.student;

import com.intel.analytics.bigdl.tensor.Tensor;
import org.nasbert.nn.Dense;
import org.nasbert.nn.Tensors;
import org.nasbert.onnx.EncoderGraph;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A student as an ONNX model (opset 17) that any ONNX runtime runs: inputs {@code input_ids}, {@code attention_mask},
 * {@code token_type_ids} (int64 [batch, sequence]), output {@code last_hidden_state} (float [batch, sequence, width]).
 * The graph ({@link EncoderGraph}) spells out exactly what the BigDL modules compute.
 */
public final class StudentOnnx {
    public static final String FILE = "model.onnx";
    /** A fine-tuned student with its task head. */
    public static final String CLASSIFIER_FILE = "classifier.onnx";

    private StudentOnnx() {
    }

    /** The serialized ModelProto. */
    public static byte[] of(StudentModel student) {
        return EncoderGraph.student(weights(student.namedWeights()), student.architecture(), student.embeddingEps(),
                student.outputWidth(), 0);
    }

    /**
     * A fine-tuned student and its task head (TaskHead: the mean of the states over real tokens, then {@code head}):
     * outputs {@code last_hidden_state} and {@code logits} (float [batch, outputs]).
     */
    public static byte[] withTaskHead(StudentModel student, Dense head) {
        Map<String, Tensor<Float>> named = new LinkedHashMap<>(student.namedWeights());
        named.put(EncoderGraph.HEAD + ".weight", head.weight());
        named.put(EncoderGraph.HEAD + ".bias", head.bias());
        return EncoderGraph.student(weights(named), student.architecture(), student.embeddingEps(), student.outputWidth(),
                head.outputSize());
    }

    private static Map<String, EncoderGraph.Weight> weights(Map<String, Tensor<Float>> named) {
        Map<String, EncoderGraph.Weight> out = new LinkedHashMap<>();
        named.forEach((name, t) -> out.put(name, new EncoderGraph.Weight(Tensors.copyOf(t), t.size())));
        return out;
    }
}
