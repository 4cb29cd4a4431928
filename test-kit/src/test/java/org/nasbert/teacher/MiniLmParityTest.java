package org.nasbert.teacher;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.intel.analytics.bigdl.tensor.Tensor;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nasbert.testing.TestData;
import org.nasbert.text.WordPieceTokenizer;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The embedded default teacher (all-MiniLM-L6-v2 read from its ONNX file into the project's BigDL layers)
 * against ONNX Runtime running the same file: last hidden state on sentences of mixed length, padded into
 * one batch.
 */
class MiniLmParityTest {
    static final String[] SENTENCES = {
            "Call me Ishmael.",
            "Some years ago, never mind how long precisely, having little or no money in my purse, I thought I would sail about a little.",
            "The capital of France is Paris.",
            "Whenever I find myself growing grim about the mouth; whenever it is a damp, drizzly November in my soul.",
            "It is a way I have of driving off the spleen and regulating the circulation.",
            "Hi!",
            "Naïve café owners don't like 3.14159 or 1,000,000 — really?",
            "There now is your insular city of the Manhattoes, belted round by wharves as Indian isles by coral reefs.",
            "Spark and BigDL train the supernet.",
            "What do you see?",
            "Posted like silent sentinels all around the town, stand thousands upon thousands of mortal men fixed in ocean reveries.",
            "東京 is the capital of Japan.",
            "The quick brown fox jumps over the lazy dog.",
            "Yes.",
            "Circumambulate the city of a dreamy Sabbath afternoon.",
            "He played the violin in the orchestra for twenty years before he retired to the countryside.",
            "Nothing will content them but the extremest limit of the land.",
            "Water and meditation are wedded for ever.",
            "Why did the old Persians hold the sea holy?",
            "Surely all this is not without meaning.",
            "And still deeper the meaning of that story of Narcissus, who because he could not grasp the tormenting, mild image he saw in the fountain, plunged into it and was drowned.",
            "OK",
            "A B C D E F G H I J K L M N O P Q R S T U V W X Y Z",
            "supercalifragilisticexpialidocious antidisestablishmentarianism"};

    private static OrtEnvironment env;
    private static OrtSession session;
    private static BertModel model;

    @BeforeAll
    static void load() throws Exception {
        TeacherCheckpoint checkpoint = TeacherCheckpoint.open(TestData.MINILM_MODEL, new Configuration());
        model = new BertModel(checkpoint.weights());
        env = OrtEnvironment.getEnvironment();
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(1);
        session = env.createSession(TestData.minilmOnnxBytes(), options);
    }

    @AfterAll
    static void close() throws Exception {
        session.close();
    }

    @Test
    void readsTheOnnxGraphAsTheModelItIs() {
        BertConfig c = model.config();
        assertEquals(6, c.numLayers);
        assertEquals(384, c.hiddenSize);
        assertEquals(12, c.numHeads, "heads come from the attention reshape in the graph");
        assertEquals(1536, c.intermediateSize);
        assertEquals(30522, c.vocabSize);
        assertEquals(1e-12f, c.layerNormEps, 1e-18f);
        assertFalse(model.hasMlmHead());
    }

    @Test
    void lastHiddenStateMatchesOnnxRuntimeOnAPaddedBatchOfMixedLengths() throws Exception {
        WordPieceTokenizer tokenizer = WordPieceTokenizer.forVocabulary(TestData.minilmVocabulary());
        int batch = SENTENCES.length;
        int[][] tokens = new int[batch][];
        int seq = 0;
        for (int b = 0; b < batch; b++) {
            tokens[b] = withSpecials(tokenizer.encode(SENTENCES[b]), tokenizer);
            seq = Math.max(seq, tokens[b].length);
        }
        int[][] ids = new int[batch][seq];
        int[] lengths = new int[batch];
        long[][] ortIds = new long[batch][seq];
        long[][] ortMask = new long[batch][seq];
        for (int b = 0; b < batch; b++) {
            lengths[b] = tokens[b].length;
            for (int t = 0; t < tokens[b].length; t++) {
                ids[b][t] = tokens[b][t];
                ortIds[b][t] = tokens[b][t];
                ortMask[b][t] = 1;
            }
        }
        Tensor<Float> ours = model.forward(ids, null, lengths, Integer.MAX_VALUE, false).hidden.get(6);
        float[][][] reference = runOnnx(ortIds, ortMask, new long[batch][seq]);

        double maxDiff = 0;
        int compared = 0;
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < lengths[b]; t++) {
                for (int h = 0; h < 384; h++) {
                    maxDiff = Math.max(maxDiff, Math.abs(ours.valueAt(b + 1, t + 1, h + 1) - reference[b][t][h]));
                    compared++;
                }
            }
        }
        System.out.printf("MiniLM vs ONNX Runtime: %d sentences, %d values, max |diff| %.3g%n", batch, compared, maxDiff);
        assertTrue(maxDiff <= 1e-4, "max abs difference " + maxDiff);
        assertTrue(seq > 30 && lengths[5] < 6, "the batch mixes long and short sentences, so there is padding");
    }

    static int[] withSpecials(int[] pieces, WordPieceTokenizer tokenizer) {
        int[] out = new int[pieces.length + 2];
        out[0] = tokenizer.vocabulary().clsId();
        System.arraycopy(pieces, 0, out, 1, pieces.length);
        out[out.length - 1] = tokenizer.vocabulary().sepId();
        return out;
    }

    static float[][][] runOnnx(long[][] ids, long[][] mask, long[][] types) throws Exception {
        Map<String, OnnxTensor> inputs = new HashMap<>();
        inputs.put("input_ids", OnnxTensor.createTensor(env, ids));
        inputs.put("attention_mask", OnnxTensor.createTensor(env, mask));
        if (session.getInputNames().contains("token_type_ids")) {
            inputs.put("token_type_ids", OnnxTensor.createTensor(env, types));
        }
        try (OrtSession.Result result = session.run(inputs)) {
            return (float[][][]) result.get(0).getValue();
        } finally {
            for (OnnxTensor t : inputs.values()) {
                t.close();
            }
        }
    }
}
