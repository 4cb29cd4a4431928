package org.nasbert.teacher;

import org.nasbert.teacher.checkpoint.CheckpointException;
import org.nasbert.teacher.checkpoint.WeightTensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A BERT model's tensors under Hugging Face {@code BertForMaskedLM} names and layouts (linear weights
 * [out, in]), checked against the config: every tensor present with its exact shape, the masked-LM head
 * all or nothing, and no tensor the model would silently ignore except the known unused ones (pooler,
 * next-sentence head, position_ids buffer, a tied decoder).
 */
public final class BertWeights implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private static final Pattern LAYER = Pattern.compile("bert\\.encoder\\.layer\\.(\\d+)\\..*");
    private static final List<String> UNUSED = Arrays.asList("bert.pooler.dense.weight", "bert.pooler.dense.bias",
            "cls.seq_relationship.weight", "cls.seq_relationship.bias", "bert.embeddings.position_ids",
            "cls.predictions.decoder.weight", "cls.predictions.decoder.bias");
    private static final String[] HEAD = {"cls.predictions.transform.dense.weight", "cls.predictions.transform.dense.bias",
            "cls.predictions.transform.LayerNorm.weight", "cls.predictions.transform.LayerNorm.bias", "cls.predictions.bias"};

    private final BertConfig config;
    private final Map<String, WeightTensor> tensors;
    private final boolean mlmHead;

    private BertWeights(BertConfig config, Map<String, WeightTensor> tensors, boolean mlmHead) {
        this.config = config;
        this.tensors = tensors;
        this.mlmHead = mlmHead;
    }

    /** Checks {@code named} (canonical names) against {@code config}; the message names {@code source}. */
    public static BertWeights of(BertConfig config, Map<String, WeightTensor> named, String source) {
        Map<String, int[]> expected = expectedShapes(config);
        int headTensors = 0;
        for (String h : HEAD) {
            headTensors += named.containsKey(h) ? 1 : 0;
        }
        if (headTensors != 0 && headTensors != HEAD.length) {
            throw new CheckpointException(source + ": the masked-LM head is incomplete (" + headTensors + " of "
                    + HEAD.length + " tensors: " + Arrays.toString(HEAD) + ")");
        }
        boolean head = headTensors == HEAD.length;
        if (head) {
            expected.putAll(headShapes(config));
        }
        List<String> missing = new ArrayList<>();
        Map<String, WeightTensor> kept = new LinkedHashMap<>();
        for (Map.Entry<String, int[]> e : expected.entrySet()) {
            WeightTensor t = named.get(e.getKey());
            if (t == null) {
                missing.add(e.getKey());
            } else if (!Arrays.equals(t.shape(), e.getValue())) {
                throw new CheckpointException(source + ": tensor '" + e.getKey() + "' has shape " + Arrays.toString(t.shape())
                        + ", but the config " + config + " needs " + Arrays.toString(e.getValue()));
            } else {
                kept.put(e.getKey(), t);
            }
        }
        if (!missing.isEmpty()) {
            throw new CheckpointException(source + ": " + missing.size() + " tensor(s) missing for " + config + ": "
                    + summary(missing));
        }
        TreeSet<String> extra = new TreeSet<>(named.keySet());
        extra.removeAll(expected.keySet());
        extra.removeAll(UNUSED);
        if (!extra.isEmpty()) {
            throw new CheckpointException(source + ": " + extra.size() + " tensor(s) that a BERT model with " + config
                    + " does not have (wrong config or not a BERT checkpoint): " + summary(new ArrayList<>(extra)));
        }
        return new BertWeights(config, kept, head);
    }

    private static String summary(List<String> names) {
        return names.size() <= 8 ? names.toString() : names.subList(0, 8) + " and " + (names.size() - 8) + " more";
    }

    public static Map<String, int[]> expectedShapes(BertConfig c) {
        int h = c.hiddenSize;
        Map<String, int[]> s = new LinkedHashMap<>();
        s.put("bert.embeddings.word_embeddings.weight", new int[]{c.vocabSize, h});
        s.put("bert.embeddings.position_embeddings.weight", new int[]{c.maxPositions, h});
        s.put("bert.embeddings.token_type_embeddings.weight", new int[]{c.typeVocabSize, h});
        s.put("bert.embeddings.LayerNorm.weight", new int[]{h});
        s.put("bert.embeddings.LayerNorm.bias", new int[]{h});
        for (int i = 0; i < c.numLayers; i++) {
            String p = layerPrefix(i);
            for (String qkv : new String[]{"query", "key", "value"}) {
                s.put(p + "attention.self." + qkv + ".weight", new int[]{h, h});
                s.put(p + "attention.self." + qkv + ".bias", new int[]{h});
            }
            s.put(p + "attention.output.dense.weight", new int[]{h, h});
            s.put(p + "attention.output.dense.bias", new int[]{h});
            s.put(p + "attention.output.LayerNorm.weight", new int[]{h});
            s.put(p + "attention.output.LayerNorm.bias", new int[]{h});
            s.put(p + "intermediate.dense.weight", new int[]{c.intermediateSize, h});
            s.put(p + "intermediate.dense.bias", new int[]{c.intermediateSize});
            s.put(p + "output.dense.weight", new int[]{h, c.intermediateSize});
            s.put(p + "output.dense.bias", new int[]{h});
            s.put(p + "output.LayerNorm.weight", new int[]{h});
            s.put(p + "output.LayerNorm.bias", new int[]{h});
        }
        return s;
    }

    private static Map<String, int[]> headShapes(BertConfig c) {
        Map<String, int[]> s = new LinkedHashMap<>();
        s.put(HEAD[0], new int[]{c.hiddenSize, c.hiddenSize});
        s.put(HEAD[1], new int[]{c.hiddenSize});
        s.put(HEAD[2], new int[]{c.hiddenSize});
        s.put(HEAD[3], new int[]{c.hiddenSize});
        s.put(HEAD[4], new int[]{c.vocabSize});
        return s;
    }

    static String layerPrefix(int i) {
        return "bert.encoder.layer." + i + ".";
    }

    /**
     * Hugging Face's spellings mapped to one: {@code BertModel} names gain the {@code bert.} prefix, and the
     * old {@code LayerNorm.gamma/beta} become {@code weight/bias}.
     */
    public static String canonicalName(String name) {
        String n = name;
        if (n.endsWith(".gamma")) {
            n = n.substring(0, n.length() - 6) + ".weight";
        } else if (n.endsWith(".beta")) {
            n = n.substring(0, n.length() - 5) + ".bias";
        }
        if (n.startsWith("embeddings.") || n.startsWith("encoder.") || n.startsWith("pooler.")) {
            n = "bert." + n;
        }
        return n;
    }

    /**
     * A config for tensors that came without one (ONNX exports, TensorFlow bundles): sizes from the shapes,
     * the number of heads and the LayerNorm epsilon as given (they are not in the tensors).
     */
    public static BertConfig inferConfig(Map<String, WeightTensor> named, int heads, float eps, String source) {
        WeightTensor word = require(named, "bert.embeddings.word_embeddings.weight", source);
        WeightTensor positions = require(named, "bert.embeddings.position_embeddings.weight", source);
        WeightTensor types = require(named, "bert.embeddings.token_type_embeddings.weight", source);
        WeightTensor inner = require(named, layerPrefix(0) + "intermediate.dense.weight", source);
        int layers = 0;
        for (String n : named.keySet()) {
            Matcher m = LAYER.matcher(n);
            if (m.matches()) {
                layers = Math.max(layers, Integer.parseInt(m.group(1)) + 1);
            }
        }
        if (word.shape().length != 2 || inner.shape().length != 2) {
            throw new CheckpointException(source + ": embedding or intermediate weights are not matrices");
        }
        return new BertConfig(word.shape()[0], word.shape()[1], layers, heads, inner.shape()[0], positions.shape()[0],
                types.shape()[0], eps);
    }

    private static WeightTensor require(Map<String, WeightTensor> named, String name, String source) {
        WeightTensor t = named.get(name);
        if (t == null) {
            throw new CheckpointException(source + ": no tensor '" + name + "'; not a BERT checkpoint?");
        }
        return t;
    }

    public BertConfig config() {
        return config;
    }

    public boolean hasMlmHead() {
        return mlmHead;
    }

    public WeightTensor get(String name) {
        WeightTensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no tensor " + name);
        }
        return t;
    }

    /** A copy whose arrays are its own: a model built from it can be trained without changing this one. */
    public BertWeights copy() {
        Map<String, WeightTensor> copied = new LinkedHashMap<>();
        for (Map.Entry<String, WeightTensor> e : tensors.entrySet()) {
            WeightTensor t = e.getValue();
            copied.put(e.getKey(), new WeightTensor(t.name(), t.shape(), t.data().clone()));
        }
        return new BertWeights(config, copied, mlmHead);
    }

    /** All tensors in the canonical order (embeddings, layers, head). */
    public List<WeightTensor> all() {
        return new ArrayList<>(tensors.values());
    }

    public long parameterCount() {
        long n = 0;
        for (WeightTensor t : tensors.values()) {
            n += t.data().length;
        }
        return n;
    }
}
