package org.nasbert.supernet;

import com.intel.analytics.bigdl.optim.Adam;
import com.intel.analytics.bigdl.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.nasbert.engine.BigDl;
import org.nasbert.nn.Tensors;
import scala.Tuple2;
import scala.runtime.AbstractFunction1;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The one-pass Adam against BigDL's own Adam (the reference), and its state through a checkpoint. */
class GroupOptimizerTest {
    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.999;
    private static final double EPS = 1e-6;

    @Test
    void tenStepsMoveWeightsAndMomentsAsBigDlsAdamDoes() {
        Random random = new Random(11);
        int n = 10_007; // not a multiple of any vector width
        float[] start = gaussian(random, n, 0.05f);
        Tensor<Float> ours = BigDl.tensor(start.clone(), n);
        Tensor<Float> theirs = BigDl.tensor(start.clone(), n);
        GroupOptimizer adam = new GroupOptimizer(BETA1, BETA2, EPS);
        Adam<Float> reference = new Adam<>(1e-3, 0.0, BETA1, BETA2, EPS, BigDl.FLOAT, BigDl.NUMERIC);
        for (int step = 0; step < 10; step++) {
            double lr = GroupOptimizer.learningRate(3e-3, step, 3, 10);
            // gradients from 1e-9 (eps matters) to 10
            Tensor<Float> gradient = BigDl.tensor(gaussian(random, n, (float) Math.pow(10, step % 5 * 2.5 - 9)), n);
            adam.step("ffn", Collections.singletonList(ours), Collections.singletonList(gradient), lr);
            reference.learningRate_$eq(lr);
            reference.optimize(new AbstractFunction1<Tensor<Float>, Tuple2<Float, Tensor<Float>>>() {
                @Override
                public Tuple2<Float, Tensor<Float>> apply(Tensor<Float> x) {
                    return new Tuple2<>(0f, gradient);
                }
            }, theirs);
        }
        GroupOptimizer.Moments moments = adam.export().get("ffn#0");
        assertEquals(10, moments.steps);
        assertEquals(10, ((Number) reference.state().apply("evalCounter")).intValue());
        // the moments: products and sums only, each rounded as MKL's saxpy does (to the bit where MKL uses FMA)
        assertClose(data(reference.state().apply("s")), moments.first, 1e-6f, "first moment");
        assertClose(data(reference.state().apply("r")), moments.second, 1e-6f, "second moment");
        // the weights: MKL's vector sqrt is not always the correctly rounded one that Java's is (1 ulp on some)
        float[] w = data(ours);
        float[] ref = data(theirs);
        for (int i = 0; i < n; i++) {
            assertEquals(ref[i] - start[i], w[i] - start[i], 1e-6f * Math.abs(ref[i] - start[i]) + Math.ulp(ref[i]) * 2, "weight " + i);
        }
    }

    @Test
    void anOptimiserRestoredFromItsExportContinuesAsTheOriginal() {
        Random random = new Random(3);
        List<Tensor<Float>> a = Arrays.asList(BigDl.tensor(gaussian(random, 12, 1f), 3, 4), BigDl.tensor(gaussian(random, 4, 1f), 4));
        List<Tensor<Float>> b = Arrays.asList(a.get(0).clone(), a.get(1).clone());
        GroupOptimizer first = new GroupOptimizer(BETA1, BETA2, EPS);
        List<Tensor<Float>> g = Arrays.asList(BigDl.tensor(gaussian(random, 12, 1f), 3, 4), BigDl.tensor(gaussian(random, 4, 1f), 4));
        first.step("mha", a, g, 1e-2);
        GroupOptimizer second = new GroupOptimizer(BETA1, BETA2, EPS);
        second.restore(first.export());
        b.get(0).copy(a.get(0));
        b.get(1).copy(a.get(1));
        first.step("mha", a, g, 5e-3);
        second.step("mha", b, g, 5e-3);
        assertArrayEquals(data(a.get(0)), data(b.get(0)));
        assertArrayEquals(data(a.get(1)), data(b.get(1)));
        Map<String, GroupOptimizer.Moments> state = second.export();
        assertEquals(2, state.get("mha#0").steps);
        assertArrayEquals(new int[]{3, 4}, state.get("mha#0").shape);
        assertEquals(2, second.stateCount());
    }

    @Test
    void withoutMathFmaJava8sLoopComputesWhatTheFmaLoopDoes() {
        assumeTrue(GroupOptimizer.FMA != null, "Math.fma is there (Java 9+)");
        Random random = new Random(5);
        int n = 4099;
        float[] g = gaussian(random, n, 1e-3f);
        float[][] a = {gaussian(random, n, 1e-2f), abs(gaussian(random, n, 1e-4f)), gaussian(random, n, 1f)};
        float[][] b = {a[0].clone(), a[1].clone(), a[2].clone()};
        float[] start = a[2].clone();
        float[] k = {0.9f, 0.1f, 0.999f, (float) (1 - 0.999), 1e-6f, -1e-3f};
        GroupOptimizer.adam(a[0], a[1], a[2], g, k, GroupOptimizer.FMA);
        GroupOptimizer.adam(b[0], b[1], b[2], g, k, null);
        for (int j = 0; j < 3; j++) {
            for (int i = 0; i < n; i++) {
                // equal but for a rare double rounding (one ulp)
                assertEquals(a[j][i], b[j][i], Math.ulp(a[j][i]), "array " + j + " element " + i);
            }
        }
        int moved = 0;
        for (int i = 0; i < n; i++) {
            moved += a[2][i] != start[i] ? 1 : 0;
        }
        assertTrue(moved > n * 0.9, moved + " of " + n + " weights moved");
    }

    @Test
    void aGradientOfAnotherSizeIsRefused() {
        GroupOptimizer adam = new GroupOptimizer(BETA1, BETA2, EPS);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> adam.step("ffn",
                Collections.singletonList(BigDl.tensor(new float[6], 6)), Collections.singletonList(BigDl.tensor(new float[5], 5)), 1e-3));
        assertEquals("ffn#0: 6 weights, 5 gradients, 6 moments", e.getMessage());
    }

    private static void assertClose(float[] expected, float[] actual, float relative, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], relative * Math.abs(expected[i]), what + " " + i);
        }
    }

    @SuppressWarnings("unchecked")
    private static float[] data(Object tensor) {
        Tensor<Float> t = Tensors.dense((Tensor<Float>) tensor);
        return Arrays.copyOfRange(Tensors.data(t), Tensors.offset(t), Tensors.offset(t) + t.nElement());
    }

    private static float[] abs(float[] x) {
        for (int i = 0; i < x.length; i++) {
            x[i] = Math.abs(x[i]);
        }
        return x;
    }

    private static float[] gaussian(Random random, int n, float scale) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) random.nextGaussian() * scale;
        }
        return out;
    }
}
