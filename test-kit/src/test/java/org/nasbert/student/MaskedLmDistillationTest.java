package org.nasbert.student;

import com.intel.analytics.bigdl.tensor.Tensor;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nasbert.engine.BigDl;
import org.nasbert.io.ResourceLocator;
import org.nasbert.nn.Parameterized;
import org.nasbert.nn.Tensors;
import org.nasbert.space.Architecture;
import org.nasbert.teacher.BertConfig;
import org.nasbert.teacher.BertModel;
import org.nasbert.teacher.BertWeights;
import org.nasbert.teacher.TeacherCheckpoint;
import org.nasbert.testing.TestData;
import org.nasbert.testing.TinyBert;
import org.nasbert.text.WordPieceTokenizer;
import org.nasbert.text.WordPieceVocabulary;

import java.io.File;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Distillation of a teacher's masked-LM outputs: BERT's masking, the KL loss and its gradient, the student's head with
 * its decoder tied to the word table, and a student learning BERT-base's predictions on real text.
 */
class MaskedLmDistillationTest {
    private static final int MASK = 3;
    private static final int CLS = 1;
    private static final int SEP = 2;

    @TempDir
    File dir;

    @Test
    void klDivergenceEqualsAWorkedExampleAndItsGradientFiniteDifferences() {
        // p = softmax([0, ln 3]) = [1/4, 3/4], q = softmax([0, 0]) = [1/2, 1/2]: KL = 1/4 ln(1/2) + 3/4 ln(3/2) = 0.1308121
        Tensor<Float> t = BigDl.tensor(new float[]{0f, (float) Math.log(3)}, 1, 2);
        Tensor<Float> s = BigDl.tensor(new float[]{0f, 0f}, 1, 2);
        Tensor<Float> grad = Tensors.zeros(1, 2);
        assertEquals(0.1308121, MaskedLmDistillation.klDivergence(t, s, 1, grad), 1e-6);
        assertEquals(0.25f, Tensors.data(grad)[0], 1e-6f); // q - p
        assertEquals(-0.25f, Tensors.data(grad)[1], 1e-6f);
        // T = 2 on random rows: T² KL at T and its gradient against central differences
        Random random = new Random(4);
        Tensor<Float> teacher = org.nasbert.testing.RandomTensors.normal(random, 3, 7);
        Tensor<Float> student = org.nasbert.testing.RandomTensors.normal(random, 3, 7);
        Tensor<Float> g = Tensors.zeros(3, 7);
        MaskedLmDistillation.klDivergence(teacher, student, 2, g);
        float[] x = Tensors.data(student);
        for (int i = 0; i < 21; i++) {
            float saved = x[i];
            x[i] = saved + 1e-2f;
            double plus = MaskedLmDistillation.klDivergence(teacher, student, 2, Tensors.zeros(3, 7));
            x[i] = saved - 1e-2f;
            double minus = MaskedLmDistillation.klDivergence(teacher, student, 2, Tensors.zeros(3, 7));
            x[i] = saved;
            assertEquals((plus - minus) / 2e-2, Tensors.data(g)[i], 1e-4, "d/ds[" + i + "]");
        }
        assertEquals(0, MaskedLmDistillation.klDivergence(teacher, teacher, 2, Tensors.zeros(3, 7)), 1e-12);
    }

    @Test
    void maskingPicksFifteenPercentOfRealTokensAndReplacesThemAsBertDoes() {
        Masking masking = new Masking(0.15, MASK, 1000, CLS, SEP);
        Random random = new Random(1);
        int rows = 400;
        int[][] ids = new int[rows][64];
        int[] lengths = new int[rows];
        for (int b = 0; b < rows; b++) {
            lengths[b] = 41 + random.nextInt(20); // 39..58 candidates between [CLS] and [SEP]
            ids[b][0] = CLS;
            for (int t = 1; t < lengths[b] - 1; t++) {
                ids[b][t] = 10 + random.nextInt(990);
            }
            ids[b][lengths[b] - 1] = SEP;
        }
        int[][] before = new int[rows][];
        for (int b = 0; b < rows; b++) {
            before[b] = ids[b].clone();
        }
        Masking.Masked m = masking.apply(ids, lengths, new Random(7));
        int[] perRow = new int[rows];
        int masked = 0;
        int kept = 0;
        for (int i = 0; i < m.count(); i++) {
            int b = m.batch[i];
            int t = m.position[i];
            assertTrue(t > 0 && t < lengths[b] - 1, "never [CLS], [SEP] or padding: row " + b + " position " + t);
            perRow[b]++;
            masked += m.ids[b][t] == MASK ? 1 : 0;
            kept += m.ids[b][t] == ids[b][t] ? 1 : 0;
        }
        for (int b = 0; b < rows; b++) {
            assertEquals(Math.round(0.15 * (lengths[b] - 2)), perRow[b], "row " + b + " of " + (lengths[b] - 2) + " candidates");
            assertArrayEquals(before[b], ids[b], "the input is left as it is");
        }
        double n = m.count();
        assertEquals(0.8, masked / n, 0.03, "[MASK] share");
        assertEquals(0.1, kept / n, 0.02, "kept share (a random id rarely equals the original)");
        int elsewhere = 0;
        for (int b = 0; b < rows; b++) {
            for (int t = 0; t < 64; t++) {
                elsewhere += m.ids[b][t] != ids[b][t] ? 1 : 0;
            }
        }
        assertEquals(m.count() - kept, elsewhere, "only chosen places change");
        Masking.Masked again = masking.apply(ids, lengths, new Random(7));
        assertArrayEquals(m.position, again.position, "the same generator masks the same places");
    }

    @Test
    void gradientsThroughTheHeadAndTheTiedWordTableMatchFiniteDifferences() {
        // a 2-layer BERT of width 16 over 40 tokens, weights sharp enough to prefer some tokens
        BertModel teacher = new BertModel(TinyBert.withHead(new BertConfig(40, 16, 2, 2, 32, 16, 2, 1e-12f), new Random(3), 0.3));
        StudentModel student = StudentModel.freshWithMaskedLmHead(Architecture.parse("16:mha,ffn | 24:sep3,id"), 12, 40, 16, 2, 5);
        Random random = new Random(9);
        int[][] ids = new int[3][10];
        int[] lengths = {10, 6, 8};
        for (int b = 0; b < 3; b++) {
            ids[b][0] = CLS;
            for (int t = 1; t < lengths[b]; t++) {
                ids[b][t] = 4 + random.nextInt(36);
            }
        }
        Masking.Masked m = new Masking(0.4, MASK, 40, CLS, SEP).apply(ids, lengths, new Random(2));
        student.zeroGradients();
        double loss = MaskedLmDistillation.loss(student, teacher, null, lengths, m, 2.0, 1.0);
        assertTrue(loss > 0.01, "a fresh student disagrees with the teacher: " + loss);
        List<Parameterized<?>> modules = student.modules();
        assertEquals("MaskedLmHead", modules.get(modules.size() - 1).getClass().getSimpleName());
        List<float[][]> analytic = new ArrayList<>();
        for (Parameterized<?> mod : modules) {
            Tensor<Float>[] g = mod.parameters()._2();
            float[][] copies = new float[g.length][];
            for (int p = 0; p < g.length; p++) {
                copies[p] = Tensors.copyOf(g[p]);
            }
            analytic.add(copies);
        }
        int checked = 0;
        int nonZero = 0;
        for (int k = 0; k < modules.size(); k++) {
            Tensor<Float>[] w = modules.get(k).parameters()._1();
            for (int p = 0; p < w.length; p++) {
                // the word table (k 0, p 0): rows of tokens in the batch (both uses) and of tokens absent (decoder only)
                for (int s = 0; s < (k == 0 && p == 0 ? 12 : 3); s++) {
                    int i = random.nextInt(w[p].nElement());
                    float[] data = Tensors.data(w[p]);
                    int at = Tensors.offset(w[p]) + i;
                    float saved = data[at];
                    data[at] = saved + 1e-2f;
                    double plus = MaskedLmDistillation.loss(student, teacher, null, lengths, m, 2.0, 0);
                    data[at] = saved - 1e-2f;
                    double minus = MaskedLmDistillation.loss(student, teacher, null, lengths, m, 2.0, 0);
                    data[at] = saved;
                    double numeric = (plus - minus) / 2e-2;
                    double exact = analytic.get(k)[p][i];
                    assertTrue(Math.abs(numeric - exact) <= 2e-2 * Math.max(1e-2, Math.abs(numeric)) + 1e-5,
                            modules.get(k).getClass().getSimpleName() + " parameter " + p + "[" + i + "]: analytic " + exact
                                    + ", numeric " + numeric);
                    checked++;
                    nonZero += Math.abs(numeric) > 1e-4 ? 1 : 0;
                }
            }
        }
        assertTrue(checked > 60 && nonZero > checked / 2, "checked " + checked + ", of which " + nonZero + " clearly non-zero");
    }

    @Test
    void aStudentLearnsBertBasesMaskedLmPredictionsOnRealText() throws Exception {
        TeacherCheckpoint checkpoint = TeacherCheckpoint.open(TestData.BERT_BASE, new Configuration());
        WordPieceVocabulary vocabulary;
        try (InputStream in = new ResourceLocator(new Configuration()).open(checkpoint.vocabulary())) {
            vocabulary = WordPieceVocabulary.read(in, checkpoint.vocabulary(), null);
        }
        List<int[]> sequences = sequences(new WordPieceTokenizer(vocabulary), 24, 40);
        List<int[]> types = new ArrayList<>();
        for (int[] s : sequences) {
            types.add(new int[s.length]);
        }
        Distiller.Sequences train = Distiller.tokens(sequences.subList(0, 24), types.subList(0, 24));
        Distiller.Sequences heldOut = Distiller.tokens(sequences.subList(24, 40), types.subList(24, 40));
        BertModel teacher = new BertModel(checkpoint.weights());
        Masking masking = new Masking(0.15, vocabulary.maskId(), vocabulary.size(), vocabulary.clsId(), vocabulary.sepId());
        MaskedLmDistillation objective = new MaskedLmDistillation(train, heldOut, teacher, masking, 1.0, 8);
        StudentModel student = StudentModel.freshWithMaskedLmHead(Architecture.parse("128:mha,ffn"), 128, vocabulary.size(), 512, 4, 1);
        double before = logProbabilityOfTeachersGuess(student, teacher, heldOut, masking);
        double[] losses = Distiller.train(student, objective, 40, 8, 3e-3, 11, null);
        double after = logProbabilityOfTeachersGuess(student, teacher, heldOut, masking);
        // a fresh student spreads its guesses over 30,522 pieces (log 30522 = 10.3 nats for any one); 40 steps learn the
        // pieces BERT predicts (measured: KL 7.71 -> 4.87, BERT's top guess -10.33 -> -6.79 nats)
        assertTrue(before < -9.5, "a fresh student is near uniform: " + before);
        assertTrue(losses[1] < 0.75 * losses[0], "held-out KL " + losses[0] + " -> " + losses[1]);
        assertTrue(after > before + 2.5, "log-probability of BERT-base's top guess " + before + " -> " + after);
        assertEquals(losses[1], objective.heldOutLoss(student), 1e-9, "the held-out loss is the same each time it is asked");
    }

    @Test
    void aUniformStudentsHeadExportsAsBertForMaskedLmThatPredictsTheSame() throws Exception {
        StudentModel student = StudentModel.freshWithMaskedLmHead(Architecture.parse("16:mha,ffn | 16:mha,ffn"), 16, 40, 16, 2, 8);
        for (Parameterized<?> m : student.modules()) {
            for (Tensor<Float> w : m.parameters()._1()) {
                w.add(org.nasbert.testing.RandomTensors.normal(new Random(w.nElement()), w.size()).mul(0.1f));
            }
        }
        Path hf = new Path(new File(dir, "bert").toURI());
        StudentExport.write(student, 2, null, hf, new Configuration());
        BertWeights asBert = TeacherCheckpoint.open(hf.toString(), new Configuration()).weights();
        assertTrue(asBert.hasMlmHead(), "the head is written under cls.predictions.*");
        int[][] ids = {{CLS, 7, MASK, 9, 11, SEP}, {CLS, MASK, 5, SEP, 0, 0}};
        int[] lengths = {6, 4};
        int[] batch = {0, 0, 1};
        int[] position = {2, 3, 1};
        Tensor<Float> expected = new BertModel(asBert).maskedLmLogits(ids, null, lengths, batch, position);
        Tensor<Float> rows = Tensors.gather(student.train(ids, null, lengths).output(), batch, position);
        float[] ours = Tensors.copyOf(student.maskedLmHead().forward(rows));
        float[] theirs = Tensors.copyOf(expected);
        for (int i = 0; i < ours.length; i++) {
            assertEquals(theirs[i], ours[i], 1e-4, "logit " + i);
        }
        Path own = new Path(new File(dir, "own").toURI());
        StudentModel mixed = StudentModel.freshWithMaskedLmHead(Architecture.parse("16:mha,sep3 | 24:ffn,id"), 12, 40, 16, 2, 8);
        StudentExport.write(mixed, 2, null, own, new Configuration());
        StudentModel back = StudentExport.read(own, new Configuration());
        assertTrue(back.maskedLmHead() != null, "arch.json records the head");
        assertEquals(mixed.namedWeights().keySet(), back.namedWeights().keySet());
        assertArrayEquals(Tensors.copyOf(mixed.namedWeights().get("head.bias")), Tensors.copyOf(back.namedWeights().get("head.bias")));
    }

    /** Sequences of Moby-Dick's first chapter, {@code length} pieces each with [CLS] and [SEP]. */
    private static List<int[]> sequences(WordPieceTokenizer tokenizer, int length, int count) throws Exception {
        String text = new String(Files.readAllBytes(new File(TestData.mobyDick(), "chapter-001.txt").toPath()), StandardCharsets.UTF_8);
        int[] pieces = tokenizer.encode(text.replaceAll("\\s+", " "));
        List<int[]> out = new ArrayList<>();
        for (int from = 0; out.size() < count; from += length - 2) {
            int[] s = new int[length];
            s[0] = tokenizer.vocabulary().clsId();
            System.arraycopy(pieces, from, s, 1, length - 2);
            s[length - 1] = tokenizer.vocabulary().sepId();
            out.add(s);
        }
        return out;
    }

    /** The student's mean log-probability of the teacher's top prediction at the masked places of the held-out set. */
    private static double logProbabilityOfTeachersGuess(StudentModel student, BertModel teacher, Distiller.Sequences data, Masking masking) {
        int[][] ids = new int[data.size()][];
        int[][] types = new int[data.size()][];
        int[] lengths = new int[data.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = data.ids(i);
            types[i] = data.types(i);
            lengths[i] = ids[i].length;
        }
        Masking.Masked m = masking.apply(ids, lengths, new Random(99));
        int[] t = argmax(teacher.maskedLmLogits(m.ids, types, lengths, m.batch, m.position));
        Tensor<Float> logits = student.maskedLmHead().forward(Tensors.gather(student.train(m.ids, types, lengths).output(), m.batch, m.position));
        float[] x = Tensors.copyOf(logits);
        int vocab = logits.size(2);
        double sum = 0;
        for (int r = 0; r < t.length; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int v = 0; v < vocab; v++) {
                max = Math.max(max, x[r * vocab + v]);
            }
            double z = 0;
            for (int v = 0; v < vocab; v++) {
                z += Math.exp(x[r * vocab + v] - max);
            }
            sum += x[r * vocab + t[r]] - max - Math.log(z);
        }
        return sum / t.length;
    }

    private static int[] argmax(Tensor<Float> logits) {
        float[] x = Tensors.copyOf(logits);
        int vocab = logits.size(2);
        int[] out = new int[logits.size(1)];
        for (int r = 0; r < out.length; r++) {
            for (int v = 1; v < vocab; v++) {
                out[r] = x[r * vocab + v] > x[r * vocab + out[r]] ? v : out[r];
            }
        }
        return out;
    }
}
