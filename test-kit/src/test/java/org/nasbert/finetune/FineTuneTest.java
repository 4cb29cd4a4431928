package org.nasbert.finetune;

import com.intel.analytics.bigdl.tensor.Tensor;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.nasbert.nn.Parameterized;
import org.nasbert.nn.Tensors;
import org.nasbert.space.Architecture;
import org.nasbert.student.StudentModel;
import org.nasbert.tasks.TaskExample;
import org.nasbert.teacher.BertModel;
import org.nasbert.teacher.BertWeights;
import org.nasbert.teacher.TeacherCheckpoint;
import org.nasbert.testing.TestData;
import org.nasbert.text.WordPieceTokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Task fine-tuning: the KD loss against NumPy, gradients against finite differences, learning, the teacher's frozen part. */
class FineTuneTest {

    @Test
    void taskDistillationLossEqualsNumpysAndItsGradientIsTheLosss() {
        float[][] s = {{1.0f, -0.5f, 2.0f}, {0.3f, 0.1f, -1.2f}};
        float[][] t = {{0.5f, 0.2f, 1.5f}, {2.0f, -1.0f, 0.0f}};
        int[] y = {2, 0};
        float[][] grad = new float[2][3];
        // (1 - λ) CE + λ T² KL(softmax(t/T) || softmax(s/T)), λ = 0.5, T = 2, computed with NumPy
        assertEquals(0.4486399417056215, TaskLoss.classification(s, y, t, 0.5, 2.0, grad), 1e-6);
        for (int b = 0; b < 2; b++) {
            for (int c = 0; c < 3; c++) {
                float saved = s[b][c];
                s[b][c] = saved + 1e-3f;
                double plus = TaskLoss.classification(s, y, t, 0.5, 2.0, new float[2][3]);
                s[b][c] = saved - 1e-3f;
                double minus = TaskLoss.classification(s, y, t, 0.5, 2.0, new float[2][3]);
                s[b][c] = saved;
                assertEquals((plus - minus) / 2e-3, grad[b][c], 1e-3, "d loss / d logit[" + b + "][" + c + "]");
            }
        }
        float[][] r = {{2.5f}, {0.7f}};
        float[][] rt = {{2.0f}, {1.5f}};
        float[][] rg = new float[2][1];
        assertEquals(0.3075, TaskLoss.regression(r, new double[]{3.0, 1.0}, rt, 0.5, rg), 1e-6);
        assertEquals(2 * (0.5 * (2.5 - 3.0) + 0.5 * (2.5 - 2.0)) / 2, rg[0][0], 1e-6);
        assertEquals(2 * (0.5 * (0.7 - 1.0) + 0.5 * (0.7 - 1.5)) / 2, rg[1][0], 1e-6);
    }

    @Test
    void withoutTeacherLogitsTheLossIsPlainCrossEntropy() {
        float[][] s = {{0.0f, Float.parseFloat("0.6931472")}}; // softmax = (1/3, 2/3)
        assertEquals(Math.log(3), TaskLoss.classification(s, new int[]{0}, null, 0.5, 1.0, new float[1][2]), 1e-6);
    }

    @Test
    void gradientsThroughHeadAndStudentMatchFiniteDifferencesOfTheDistillationLoss() {
        StudentModel student = StudentModel.fresh(Architecture.parse("16:mha,ffn | 24:sep3,id"), 12, 50, 16, 2, 5);
        StudentEncoder encoder = new StudentEncoder(student);
        TaskHead head = new TaskHead(encoder.width(), 3, new Random(1));
        Random random = new Random(4);
        List<EncodedExample> data = randomExamples(random, 4, 50, 3);
        TaskBatch batch = new TaskBatch(data);
        float[][] teacher = {{1f, 0f, -1f}, {0.2f, 0.3f, 0.1f}, {-2f, 1f, 0f}, {0f, 0f, 3f}};
        List<Parameterized<?>> modules = new ArrayList<>(encoder.modules());
        modules.add(head.dense());
        for (Parameterized<?> m : modules) {
            m.zeroGradParameters();
        }
        float[][] grad = new float[4][3];
        TaskLoss.classification(FineTuner.rows(head.forward(encoder.forward(batch), batch.lengths)), labels(data), teacher, 0.5, 2.0, grad);
        encoder.backward(head.backward(org.nasbert.engine.BigDl.tensor(flat(grad), 4, 3)));
        int checked = 0;
        for (Parameterized<?> m : modules) {
            Tensor<Float>[] w = m.parameters()._1();
            Tensor<Float>[] g = m.parameters()._2();
            for (int p = 0; p < w.length; p++) {
                float[] analytic = Tensors.copyOf(g[p]);
                for (int k = 0; k < 3; k++) {
                    int i = strongest(analytic, random, k);
                    float[] d = Tensors.data(w[p]);
                    int at = Tensors.offset(w[p]) + i;
                    float saved = d[at];
                    d[at] = saved + 1e-2f;
                    double plus = loss(encoder, head, batch, data, teacher);
                    d[at] = saved - 1e-2f;
                    double minus = loss(encoder, head, batch, data, teacher);
                    d[at] = saved;
                    double numeric = (plus - minus) / 2e-2;
                    assertEquals(numeric, analytic[i], 2e-2 * Math.abs(numeric) + 2e-5,
                            m.getClass().getSimpleName() + " parameter " + p + "[" + i + "]");
                    checked++;
                }
            }
        }
        assertTrue(checked > 40, "checked " + checked);
    }

    @Test
    void gradientsAreClippedTogetherToUnitNormAndLeftAloneBelowIt() {
        StudentModel student = StudentModel.fresh(Architecture.parse("16:mha,ffn"), 16, 50, 16, 2, 5);
        List<Parameterized<?>> modules = student.modules();
        Random random = new Random(2);
        double sum = 0;
        for (Parameterized<?> m : modules) {
            for (Tensor<Float> g : m.parameters()._2()) {
                float[] d = Tensors.data(g);
                for (int i = Tensors.offset(g); i < Tensors.offset(g) + g.nElement(); i++) {
                    d[i] = (float) random.nextGaussian();
                    sum += (double) d[i] * d[i];
                }
            }
        }
        assertEquals(Math.sqrt(sum), FineTuner.clipGlobalNorm(modules, 1.0), 1e-6 * Math.sqrt(sum));
        assertEquals(1.0, FineTuner.clipGlobalNorm(modules, 1.0), 1e-5, "the norm after clipping");
        float before = Tensors.copyOf(modules.get(0).parameters()._2()[0])[3];
        assertEquals(1.0, FineTuner.clipGlobalNorm(modules, 2.0), 1e-5);
        assertEquals(before, Tensors.copyOf(modules.get(0).parameters()._2()[0])[3], 0, "below the limit nothing changes");
    }

    @Test
    void aSmallStudentLearnsATaskDecidedByItsTokens() {
        Random random = new Random(7);
        // label 1 when token 5 occurs: learnable from the mean-pooled states, far from chance without training
        List<EncodedExample> train = keywordTask(random, 400);
        List<EncodedExample> dev = keywordTask(random, 200);
        StudentModel student = StudentModel.fresh(Architecture.parse("32:mha,ffn | 32:sep3,ffn"), 32, 60, 32, 2, 3);
        StudentEncoder encoder = new StudentEncoder(student);
        TaskHead head = new TaskHead(encoder.width(), 2, new Random(3));
        double before = accuracy(FineTuner.predict(encoder, head, dev, 64), dev);
        double[] losses = FineTuner.train(encoder, head, train, null, false, new FineTuner.Recipe(6, 16, 3e-3, 0.5, 1.0, 1));
        double after = accuracy(FineTuner.predict(encoder, head, dev, 64), dev);
        assertTrue(losses[losses.length - 1] < 0.5 * losses[0], "epoch losses " + Arrays.toString(losses));
        assertTrue(after >= 0.95 && after > before + 0.2, "dev accuracy " + before + " -> " + after);
    }

    @Test
    void teacherWithFrozenLayersComputesTheTeachersOwnStatesAndLeavesItsWeightsAlone() throws Exception {
        BertWeights weights = TeacherCheckpoint.open(TestData.MINILM_MODEL, new Configuration()).weights();
        float[] before = weights.get("bert.encoder.layer.5.output.dense.weight").data().clone();
        TeacherEncoder encoder = new TeacherEncoder(weights, 2);
        assertEquals(2, encoder.modules().size());
        Random random = new Random(9);
        List<EncodedExample> data = randomExamples(random, 3, 30000, 2);
        TaskBatch batch = new TaskBatch(data);
        float[] expected = Tensors.copyOf(new BertModel(weights).statesAfter(batch.ids, batch.types, batch.lengths, new int[]{6}).get(0));
        float[] actual = Tensors.copyOf(encoder.forward(batch));
        assertEquals(expected.length, actual.length);
        double worst = 0;
        int seq = batch.ids[0].length;
        for (int b = 0; b < batch.size(); b++) {
            for (int i = b * seq * 384; i < (b * seq + batch.lengths[b]) * 384; i++) { // padding's states are unspecified
                worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
            }
        }
        assertTrue(worst <= 1e-5, "max |diff| " + worst);
        TaskHead head = new TaskHead(encoder.width(), 2, new Random(1));
        FineTuner.train(encoder, head, data, null, false, new FineTuner.Recipe(2, 3, 1e-3, 0.5, 1.0, 1));
        assertArrayEquals(before, weights.get("bert.encoder.layer.5.output.dense.weight").data());
        float[] tuned = Tensors.copyOf(encoder.modules().get(1).parameters()._1()[0]);
        assertTrue(!Arrays.equals(tuned, Tensors.copyOf(new TeacherEncoder(weights, 2).modules().get(1).parameters()._1()[0])),
                "training changed the encoder's own copy");
    }

    @Test
    void theLongerTextIsCutFirstAndSegmentsFollowThePair() {
        WordPieceTokenizer tokenizer = WordPieceTokenizer.forVocabulary(TestData.minilmVocabulary());
        EncodedExample e = EncodedExample.of(new TaskExample("one two three four five six", "seven eight", 1, Double.NaN, "t:1"),
                tokenizer, 8);
        // [CLS] one two three [SEP] seven eight [SEP]: a lost 3, b kept
        assertEquals(8, e.ids.length);
        assertEquals(tokenizer.vocabulary().clsId(), e.ids[0]);
        assertEquals(tokenizer.vocabulary().id("three"), e.ids[3]);
        assertEquals(tokenizer.vocabulary().sepId(), e.ids[4]);
        assertEquals(tokenizer.vocabulary().id("seven"), e.ids[5]);
        assertArrayEquals(new int[]{0, 0, 0, 0, 0, 1, 1, 1}, e.types);
        EncodedExample single = EncodedExample.of(new TaskExample("great movie", null, 0, Double.NaN, "t:2"), tokenizer, 128);
        assertArrayEquals(new int[]{tokenizer.vocabulary().clsId(), tokenizer.vocabulary().id("great"), tokenizer.vocabulary().id("movie"),
                tokenizer.vocabulary().sepId()}, single.ids);
    }

    private static double loss(Encoder encoder, TaskHead head, TaskBatch batch, List<EncodedExample> data, float[][] teacher) {
        return TaskLoss.classification(FineTuner.rows(head.forward(encoder.forward(batch), batch.lengths)), labels(data), teacher, 0.5, 2.0,
                new float[data.size()][3]);
    }

    private static int strongest(float[] g, Random random, int k) {
        if (k == 0) {
            int best = 0;
            for (int i = 1; i < g.length; i++) {
                best = Math.abs(g[i]) > Math.abs(g[best]) ? i : best;
            }
            return best;
        }
        return random.nextInt(g.length);
    }

    private static List<EncodedExample> randomExamples(Random random, int n, int vocab, int classes) {
        List<EncodedExample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int len = 4 + random.nextInt(6);
            int[] ids = new int[len];
            for (int t = 0; t < len; t++) {
                ids[t] = 1 + random.nextInt(vocab - 1);
            }
            out.add(new EncodedExample(ids, new int[len], random.nextInt(classes), Double.NaN, "random:" + i));
        }
        return out;
    }

    static List<EncodedExample> keywordTask(Random random, int n) {
        List<EncodedExample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int len = 6 + random.nextInt(10);
            int[] ids = new int[len];
            for (int t = 0; t < len; t++) {
                ids[t] = 6 + random.nextInt(54);
            }
            int label = random.nextInt(2);
            if (label == 1) {
                ids[1 + random.nextInt(len - 1)] = 5;
            }
            out.add(new EncodedExample(ids, new int[len], label, Double.NaN, "keyword:" + i));
        }
        return out;
    }

    private static int[] labels(List<EncodedExample> data) {
        int[] out = new int[data.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = data.get(i).label;
        }
        return out;
    }

    private static double accuracy(float[][] logits, List<EncodedExample> data) {
        int right = 0;
        for (int i = 0; i < logits.length; i++) {
            right += ((logits[i][1] > logits[i][0]) ? 1 : 0) == data.get(i).label ? 1 : 0;
        }
        return (double) right / logits.length;
    }

    private static float[] flat(float[][] x) {
        float[] out = new float[x.length * x[0].length];
        for (int i = 0; i < x.length; i++) {
            System.arraycopy(x[i], 0, out, i * x[0].length, x[i].length);
        }
        return out;
    }
}
