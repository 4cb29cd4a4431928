package org.nasbert.student;

import com.intel.analytics.bigdl.tensor.Tensor;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.nasbert.engine.BigDl;
import org.nasbert.nn.Parameterized;
import org.nasbert.nn.Tensors;
import org.nasbert.space.Architecture;
import org.nasbert.supernet.GroupOptimizer;
import org.nasbert.teacher.BertModel;
import org.nasbert.teacher.BertWeights;
import org.nasbert.teacher.TeacherCheckpoint;
import org.nasbert.testing.TestData;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** A student's distillation step: its gradients are the loss's (finite differences), and steps lower the loss on a real teacher. */
class StudentDistillTest {

    private static int[][] ids(Random random, int batch, int seq, int vocab) {
        int[][] ids = new int[batch][seq];
        for (int[] row : ids) {
            for (int t = 0; t < seq; t++) {
                row[t] = random.nextInt(vocab);
            }
        }
        return ids;
    }

    @Test
    void gradientsOfEveryKindOfModuleMatchFiniteDifferencesOfTheLoss() {
        Architecture a = Architecture.parse("32:mha,ffn | 48:sep3,id");
        StudentModel student = StudentModel.fresh(a, 24, 100, 16, 4, 3, 40);
        Random random = new Random(8);
        int[][] ids = ids(random, 3, 10, 100);
        int[] lengths = {10, 6, 8};
        float[] t = new float[3 * 10 * 40];
        for (int i = 0; i < t.length; i++) {
            t[i] = (float) random.nextGaussian();
        }
        Tensor<Float> target = BigDl.tensor(t, 3, 10, 40);
        student.zeroGradients();
        student.distill(ids, null, lengths, target, 1.0);
        List<Parameterized<?>> modules = student.modules();
        assertTrue(modules.size() == 7, "embeddings, projection, mha, ffn, between, sep3, output: " + modules.size());
        // the analytic gradients, copied before the finite differences run the model again
        List<float[][]> analytic = new java.util.ArrayList<>();
        for (Parameterized<?> m : modules) {
            Tensor<Float>[] g = m.parameters()._2();
            float[][] copies = new float[g.length][];
            for (int p = 0; p < g.length; p++) {
                Tensor<Float> d = Tensors.dense(g[p]);
                copies[p] = Arrays.copyOfRange(Tensors.data(d), Tensors.offset(d), Tensors.offset(d) + d.nElement());
            }
            analytic.add(copies);
        }
        int checked = 0;
        int nonZero = 0;
        for (int k = 0; k < modules.size(); k++) {
            Parameterized<?> m = modules.get(k);
            Tensor<Float>[] w = m.parameters()._1();
            for (int p = 0; p < w.length; p++) {
                for (int s = 0; s < 3; s++) {
                    int i = pick(m, p, ids, random, w[p]);
                    float[] data = Tensors.data(w[p]);
                    int at = Tensors.offset(w[p]) + i;
                    float saved = data[at];
                    double step = 1e-2;
                    data[at] = (float) (saved + step);
                    double plus = loss(student, ids, lengths, target);
                    data[at] = (float) (saved - step);
                    double minus = loss(student, ids, lengths, target);
                    data[at] = saved;
                    double numeric = (plus - minus) / (2 * step);
                    double exact = analytic.get(k)[p][i];
                    assertTrue(Math.abs(numeric - exact) <= 2e-2 * Math.max(1e-2, Math.abs(numeric)) + 1e-5,
                            m.getClass().getSimpleName() + " parameter " + p + "[" + i + "]: analytic " + exact + ", numeric " + numeric);
                    checked++;
                    nonZero += Math.abs(numeric) > 1e-4 ? 1 : 0;
                }
            }
        }
        assertTrue(checked > 50 && nonZero > checked / 2, "checked " + checked + ", of which " + nonZero + " clearly non-zero");
    }

    /** A weight that the batch touches: for the embedding tables, a row of a token, position or segment in use. */
    private static int pick(Parameterized<?> m, int p, int[][] ids, Random random, Tensor<Float> w) {
        if (w.dim() == 2 && w.size(1) >= 16 && m.getClass().getSimpleName().equals("BertEmbeddings")) {
            int row = p == 0 ? ids[random.nextInt(ids.length)][random.nextInt(6)] : p == 1 ? random.nextInt(6) : 0;
            return row * w.size(2) + random.nextInt(w.size(2));
        }
        return random.nextInt(w.nElement());
    }

    private static double loss(StudentModel s, int[][] ids, int[] lengths, Tensor<Float> target) {
        s.zeroGradients();
        return s.distill(ids, null, lengths, target, 0);
    }

    @Test
    void adamStepsLowerTheDistillationLossAgainstMiniLmsLastHiddenState() throws Exception {
        BertWeights teacher = TeacherCheckpoint.open(TestData.MINILM_MODEL, new Configuration()).weights();
        int width = teacher.config().hiddenSize;
        Random random = new Random(2);
        int[][] ids = ids(random, 8, 24, 30000);
        int[] lengths = new int[8];
        Arrays.fill(lengths, 24);
        Tensor<Float> target = new BertModel(teacher).statesAfter(ids, null, lengths, new int[]{teacher.config().numLayers}).get(0);
        StudentModel student = StudentModel.fresh(Architecture.parse("64:mha,ffn | 64:sep3,ffn"), 64, 30522, 512, 4, 1, width);
        GroupOptimizer adam = new GroupOptimizer(0.9, 0.999, 1e-6);
        double first = 0;
        double last = 0;
        for (int step = 0; step < 40; step++) {
            student.zeroGradients();
            last = student.distill(ids, null, lengths, target, 1.0);
            first = step == 0 ? last : first;
            List<Parameterized<?>> modules = student.modules();
            for (int m = 0; m < modules.size(); m++) {
                adam.step("m" + m, Arrays.asList(modules.get(m).parameters()._1()), Arrays.asList(modules.get(m).parameters()._2()), 3e-3);
            }
        }
        assertTrue(last < 0.5 * first, "loss " + first + " -> " + last);
    }
}
