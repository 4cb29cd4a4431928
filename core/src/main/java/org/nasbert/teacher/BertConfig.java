package org.nasbert.teacher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.nasbert.io.Json;
import org.nasbert.teacher.checkpoint.CheckpointException;

import java.io.IOException;
import java.io.Serializable;

/** The shape of a BERT model, with the names and defaults of Hugging Face's {@code BertConfig}. */
public final class BertConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    public final int vocabSize;
    public final int hiddenSize;
    public final int numLayers;
    public final int numHeads;
    public final int intermediateSize;
    public final int maxPositions;
    public final int typeVocabSize;
    public final float layerNormEps;

    public BertConfig(int vocabSize, int hiddenSize, int numLayers, int numHeads, int intermediateSize, int maxPositions,
                      int typeVocabSize, float layerNormEps) {
        this.vocabSize = vocabSize;
        this.hiddenSize = hiddenSize;
        this.numLayers = numLayers;
        this.numHeads = numHeads;
        this.intermediateSize = intermediateSize;
        this.maxPositions = maxPositions;
        this.typeVocabSize = typeVocabSize;
        this.layerNormEps = layerNormEps;
        check(vocabSize > 0 && hiddenSize > 0 && numLayers > 0 && intermediateSize > 0 && maxPositions > 0 && typeVocabSize > 0,
                "sizes must be positive: " + this);
        check(numHeads > 0 && hiddenSize % numHeads == 0, "hidden size " + hiddenSize + " is not a multiple of " + numHeads + " heads");
        check(layerNormEps > 0 && layerNormEps < 1e-2, "layer_norm_eps " + layerNormEps + " is out of range");
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new CheckpointException("BERT config: " + message);
        }
    }

    /** Reads a Hugging Face config.json (or Google's bert_config.json, which uses the same keys). */
    public static BertConfig fromJson(byte[] json, String source) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new CheckpointException(source + " is not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new CheckpointException(source + " is not a JSON object");
        }
        String act = root.path("hidden_act").asText("gelu");
        if (!"gelu".equals(act)) {
            throw new CheckpointException(source + ": hidden_act '" + act + "' is not supported; expected 'gelu' (exact erf GELU)");
        }
        String type = root.path("model_type").asText("bert");
        if (!"bert".equals(type)) {
            throw new CheckpointException(source + ": model_type '" + type + "'; expected 'bert'");
        }
        return new BertConfig(required(root, "vocab_size", source), required(root, "hidden_size", source),
                required(root, "num_hidden_layers", source), required(root, "num_attention_heads", source),
                required(root, "intermediate_size", source), root.path("max_position_embeddings").asInt(512),
                root.path("type_vocab_size").asInt(2), (float) root.path("layer_norm_eps").asDouble(1e-12));
    }

    private static int required(JsonNode root, String key, String source) {
        JsonNode v = root.get(key);
        if (v == null || !v.canConvertToInt()) {
            throw new CheckpointException(source + ": '" + key + "' is missing or not an integer");
        }
        return v.asInt();
    }

    /** As Hugging Face writes it for {@code BertForMaskedLM}. */
    public byte[] toJson() {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.putArray("architectures").add("BertForMaskedLM");
        root.put("model_type", "bert");
        root.put("vocab_size", vocabSize);
        root.put("hidden_size", hiddenSize);
        root.put("num_hidden_layers", numLayers);
        root.put("num_attention_heads", numHeads);
        root.put("intermediate_size", intermediateSize);
        root.put("hidden_act", "gelu");
        root.put("max_position_embeddings", maxPositions);
        root.put("type_vocab_size", typeVocabSize);
        root.put("layer_norm_eps", layerNormEps);
        root.put("hidden_dropout_prob", 0.1);
        root.put("attention_probs_dropout_prob", 0.1);
        root.put("initializer_range", 0.02);
        root.put("pad_token_id", 0);
        root.put("position_embedding_type", "absolute");
        try {
            return Json.MAPPER.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public long parameterCount(boolean withMlmHead) {
        long h = hiddenSize;
        long embeddings = (vocabSize + maxPositions + typeVocabSize) * h + 2 * h;
        long layer = 4 * (h * h + h) + 2 * h + (h * intermediateSize + intermediateSize) + (intermediateSize * h + h) + 2 * h;
        long head = withMlmHead ? h * h + h + 2 * h + vocabSize : 0;
        return embeddings + numLayers * layer + head;
    }

    @Override
    public String toString() {
        return "BertConfig{vocab=" + vocabSize + ", hidden=" + hiddenSize + ", layers=" + numLayers + ", heads=" + numHeads
                + ", intermediate=" + intermediateSize + ", positions=" + maxPositions + ", types=" + typeVocabSize
                + ", eps=" + layerNormEps + "}";
    }
}
