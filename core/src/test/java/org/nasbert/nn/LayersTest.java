package org.nasbert.nn;

import com.intel.analytics.bigdl.tensor.Tensor;
import com.intel.analytics.bigdl.utils.Table;
import org.junit.jupiter.api.Test;
import org.nasbert.engine.BigDl;

import java.util.Arrays;
import java.util.Random;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The project's BigDL layers: forward against direct double-precision formulas, backward against finite differences. */
class LayersTest {
    private final Random random = new Random(7);

    @Test
    void geluIsTheExactErfFormNotTheTanhApproximation() {
        Tensor<Float> x = BigDl.tensor(new float[]{-3f, -0.5f, 0f, 1f, 2.5f}, 5);
        Tensor<Float> y = new Gelu().forward(x);
        // 0.5 x (1 + erf(x / sqrt 2)) from Python's math.erf
        double[] expected = {-0.00404969409489031, -0.15426876936299344, 0.0, 0.8413447460685429, 2.4844758366855597};
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], y.valueAt(i + 1), 3e-7 * Math.max(1, Math.abs(expected[i])), "gelu(" + x.valueAt(i + 1) + ")");
        }
        // the tanh approximation gives 0.841192 at 1: the exact form must be distinguishable from it
        assertTrue(Math.abs(y.valueAt(4) - 0.841192) > 1e-4);
    }

    @Test
    void layerNormMatchesTheFormulaWithTheConfiguredEpsilon() {
        float[] row = {1e-5f, -2e-5f, 3e-5f, 0f};
        LayerNorm norm = new LayerNorm(4, 1e-12f);
        Tensor<Float> y = norm.forward(BigDl.tensor(row, 1, 4));
        double mean = (row[0] + row[1] + row[2] + row[3]) / 4.0;
        double var = 0;
        for (float v : row) {
            var += (v - mean) * (v - mean) / 4;
        }
        for (int j = 0; j < 4; j++) {
            assertEquals((row[j] - mean) / Math.sqrt(var + 1e-12), y.valueAt(1, j + 1), 1e-4);
        }
        // BigDL's LayerNormalization uses 1e-6, which flattens these tiny activations towards zero
        assertTrue(Math.abs(y.valueAt(1, 3)) > 1.0);
    }

    @Test
    void attentionEqualsANaiveDoublePrecisionImplementationAndIgnoresPadding() {
        int batch = 2, seq = 5, hidden = 8, heads = 2;
        MultiHeadAttention attention = new MultiHeadAttention(hidden, heads, random);
        Tensor<Float> x = GradientCheck.random(random, 1f, batch, seq, hidden);
        Tensor<Float> mask = BigDl.tensor(new float[]{1, 1, 1, 1, 1, 1, 1, 1, 0, 0}, batch, seq);
        Tensor<Float> y = attention.forward(Tensors.table(x, mask));
        Tensor<Float>[] w = attention.parameters()._1();
        double[][][] expected = NaiveAttention.forward(x, mask, heads, w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]);
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < seq; t++) {
                for (int h = 0; h < hidden; h++) {
                    assertEquals(expected[b][t][h], y.valueAt(b + 1, t + 1, h + 1), 1e-5, "[" + b + "," + t + "," + h + "]");
                }
            }
        }
        // changing a padded position of sequence 1 must not change its real positions
        Tensor<Float> x2 = x.clone();
        x2.setValue(2, 5, 1, 100f);
        Tensor<Float> y2 = attention.forward(Tensors.table(x2, mask));
        for (int t = 1; t <= 3; t++) {
            for (int h = 1; h <= hidden; h++) {
                // to float rounding (MKL may round differently from call to call); a leak of the 100 would be far larger
                assertEquals(y.valueAt(2, t, h), y2.valueAt(2, t, h), 1e-6f);
            }
        }
    }

    @Test
    void denseGradientsMatchFiniteDifferences() {
        Dense dense = new Dense(6, 4, random);
        Tensor<Float> x = GradientCheck.random(random, 1f, 2, 3, 6);
        GradientCheck.check(dense, x, x, 20, 1);
    }

    @Test
    void geluGradientMatchesFiniteDifferences() {
        Tensor<Float> x = GradientCheck.random(random, 2f, 3, 7);
        GradientCheck.check(new Gelu(), x, x, 20, 2);
    }

    @Test
    void layerNormGradientsMatchFiniteDifferences() {
        LayerNorm norm = new LayerNorm(GradientCheck.random(random, 1f, 6), GradientCheck.random(random, 1f, 6), 1e-12f);
        Tensor<Float> x = GradientCheck.random(random, 1f, 4, 6);
        GradientCheck.check(norm, x, x, 20, 3);
    }

    @Test
    void feedForwardGradientsMatchFiniteDifferences() {
        FeedForward ffn = new FeedForward(new Dense(6, 12, new Random(4)) , new Dense(12, 6, new Random(5)));
        Tensor<Float> x = GradientCheck.random(random, 1f, 2, 3, 6);
        GradientCheck.check(ffn, x, x, 20, 4);
    }

    @Test
    void attentionGradientsMatchFiniteDifferencesWithPadding() {
        MultiHeadAttention attention = new MultiHeadAttention(8, 2, new Random(9));
        scaleWeights(attention, 10f);
        Tensor<Float> x = GradientCheck.random(random, 1f, 2, 4, 8);
        Tensor<Float> mask = BigDl.tensor(new float[]{1, 1, 1, 1, 1, 1, 0, 0}, 2, 4);
        GradientCheck.check(attention, Tensors.table(x, mask), x, 30, 5);
    }

    @Test
    void bertLayerGradientsMatchFiniteDifferences() {
        Random r = new Random(11);
        MultiHeadAttention attention = new MultiHeadAttention(8, 2, r);
        scaleWeights(attention, 10f);
        BertLayer layer = new BertLayer(attention, new LayerNorm(8, 1e-12f), new FeedForward(
                scaled(new Dense(8, 16, r), 10f), scaled(new Dense(16, 8, r), 10f)), new LayerNorm(8, 1e-12f));
        Tensor<Float> x = GradientCheck.random(random, 1f, 2, 3, 8);
        Tensor<Float> mask = BigDl.tensor(new float[]{1, 1, 1, 1, 1, 0}, 2, 3);
        Table input = Tensors.table(x, mask);
        GradientCheck.check(layer, input, x, 30, 6);
    }

    @Test
    void embeddingsAndMaskedLmHeadGradientsMatchFiniteDifferences() {
        Random r = new Random(12);
        BertEmbeddings embeddings = new BertEmbeddings(GradientCheck.random(r, 1f, 10, 6), GradientCheck.random(r, 1f, 4, 6),
                GradientCheck.random(r, 1f, 2, 6), new LayerNorm(6, 1e-12f));
        Tensor<Float> ids = BigDl.tensor(new float[]{1, 2, 3, 9, 0, 2}, 2, 3);
        Tensor<Float> types = BigDl.tensor(new float[]{0, 0, 1, 0, 1, 1}, 2, 3);
        GradientCheck.check(embeddings, Tensors.table(ids, types), null, 20, 7);

        MaskedLmHead head = new MaskedLmHead(scaled(new Dense(6, 6, r), 20f), new LayerNorm(6, 1e-12f),
                new Dense(embeddings.wordEmbeddings(), GradientCheck.random(r, 1f, 10)));
        Tensor<Float> h = GradientCheck.random(random, 1f, 2, 3, 6);
        GradientCheck.check(head, h, h, 20, 8);
    }

    @Test
    void separableConvolutionGradientsMatchFiniteDifferencesAndPaddingDoesNotLeak() {
        SeparableConv1d conv = new SeparableConv1d(6, 3, new Random(13));
        scaleWeights(conv, 20f);
        Tensor<Float> x = GradientCheck.random(random, 1f, 2, 5, 6);
        Tensor<Float> mask = BigDl.tensor(new float[]{1, 1, 1, 1, 1, 1, 1, 1, 0, 0}, 2, 5);
        ResidualNorm op = new ResidualNorm(conv, new LayerNorm(6, 1e-12f));
        GradientCheck.check(op, Tensors.table(x, mask), x, 30, 9);

        Tensor<Float> y = op.forward(Tensors.table(x, mask)).clone();
        Tensor<Float> x2 = x.clone();
        x2.setValue(2, 4, 1, 50f);
        Tensor<Float> y2 = op.forward(Tensors.table(x2, mask));
        for (int t = 1; t <= 3; t++) {
            for (int h = 1; h <= 6; h++) {
                assertEquals(y.valueAt(2, t, h), y2.valueAt(2, t, h), 1e-6f, "a padded position changed a real one");
            }
        }
    }

    /** The default 0.02 initialisation makes layers nearly linear; larger weights exercise the non-linear paths. */
    private static void scaleWeights(Parameterized<?> module, float factor) {
        for (Tensor<Float> w : module.weights()) {
            if (w.dim() == 2 && w.size(2) > 7) {
                w.mul(factor);
            }
        }
    }

    private static Dense scaled(Dense dense, float factor) {
        dense.weight().mul(factor);
        return dense;
    }

    @Test
    void aLayerReusedOnASmallerBatchGivesTheInputGradientOfAFreshOne() {
        // layers keep their input-gradient tensors from step to step: nothing of the first batch may show in the second
        int hidden = 8;
        Function<Random, Parameterized<Table>> attention = r -> new ResidualNorm(new MultiHeadAttention(hidden, 2, r), new LayerNorm(hidden, 1e-12f));
        Function<Random, Parameterized<Table>> conv = r -> new ResidualNorm(new SeparableConv1d(hidden, 3, r), new LayerNorm(hidden, 1e-12f));
        for (Function<Random, Parameterized<Table>> make : Arrays.asList(attention, conv)) {
            Parameterized<Table> reused = make.apply(new Random(3));
            Parameterized<Table> fresh = make.apply(new Random(3));
            Table big = Tensors.table(GradientCheck.random(random, 5f, 3, 6, hidden), BigDl.tensor(new float[18], 3, 6).fill(1f));
            reused.forward(big);
            reused.backward(big, GradientCheck.random(random, 5f, 3, 6, hidden));
            Table small = Tensors.table(GradientCheck.random(random, 1f, 2, 4, hidden),
                    BigDl.tensor(new float[]{1, 1, 1, 1, 1, 1, 0, 0}, 2, 4));
            Tensor<Float> gradOutput = GradientCheck.random(random, 1f, 2, 4, hidden);
            reused.forward(small);
            Tensor<Float> again = Tensors.tensorAt(reused.backward(small, gradOutput), 1);
            fresh.forward(small);
            Tensor<Float> first = Tensors.tensorAt(fresh.backward(small, gradOutput), 1);
            assertEquals(Arrays.toString(first.size()), Arrays.toString(again.size()));
            float[] a = Tensors.copyOf(again);
            float[] f = Tensors.copyOf(first);
            for (int i = 0; i < f.length; i++) {
                // to MKL's rounding from call to call; a value left from the first batch would be off by far more
                assertEquals(f[i], a[i], 1e-5f * (1 + Math.abs(f[i])), "element " + i);
            }
        }
    }
}
