package org.nasbert.stats;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** McNemar's exact p-values against scipy.stats.binomtest(k, n, 0.5) (= statsmodels' mcnemar(exact=True)); the bootstraps' behaviour. */
class PairedTestTest {
    @Test
    void binomialTailsMatchScipy() {
        assertEquals(0.03515625, PairedTest.binomialTwoSided(3, 15), 1e-15);
        assertEquals(0.022082715809704237, PairedTest.binomialTwoSided(47, 120), 1e-14);
        assertEquals(1.1159089057251951e-09, PairedTest.binomialTwoSided(20, 100), 1e-20);
        assertEquals(1, PairedTest.binomialTwoSided(0, 0), 0);
        assertEquals(1, PairedTest.binomialTwoSided(5, 10), 0); // an even split caps at 1
    }

    @Test
    void mcnemarCountsOnlyTheExamplesTheModelsDisagreeOn() {
        // 100 both right, 12 only A right, 3 only B right, 5 both wrong: p = binomtest(3, 15) = 0.03515625
        boolean[] a = new boolean[120];
        boolean[] b = new boolean[120];
        for (int i = 0; i < 100; i++) {
            a[i] = b[i] = true;
        }
        for (int i = 100; i < 112; i++) {
            a[i] = true;
        }
        for (int i = 112; i < 115; i++) {
            b[i] = true;
        }
        PairedTest.Result r = PairedTest.mcnemar(a, b);
        assertEquals(9.0 / 120, r.difference, 1e-15);
        assertEquals(0.03515625, r.p, 1e-15);
        assertEquals("better", r.verdict());
        assertEquals("worse", PairedTest.mcnemar(b, a).verdict());
    }

    @Test
    void pairedBootstrapSeesAConsistentGapAndNotANoisyOne() {
        int n = 400;
        double[][] scores = new double[2][n];
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        for (int i = 0; i < n; i++) {
            double shared = random.nextDouble(); // the examples' difficulty, common to both models
            scores[0][i] = shared + 0.05 + 0.02 * random.nextGaussian();
            scores[1][i] = shared + 0.02 * random.nextGaussian();
        }
        PairedTest.Result gap = PairedTest.pairedBootstrap(n, (m, idx) -> mean(scores[m], idx), 1000, 1);
        assertEquals("better", gap.verdict());
        assertTrue(gap.low > 0.04 && gap.high < 0.06, gap.low + " " + gap.high);
        // the same two models with their labels shuffled per example: no consistent difference
        double[][] mixed = new double[2][n];
        for (int i = 0; i < n; i++) {
            int first = random.nextInt(2);
            mixed[0][i] = scores[first][i];
            mixed[1][i] = scores[1 - first][i];
        }
        PairedTest.Result none = PairedTest.pairedBootstrap(n, (m, idx) -> mean(mixed[m], idx), 1000, 1);
        assertTrue(none.low < 0 && none.high > 0, none.low + " " + none.high);
    }

    @Test
    void percentilesInterpolateAsNumpy() {
        double[] v = {0.1, 0.2, 0.3, 0.4, 0.5, 0.7, 0.9}; // numpy.percentile: 0.115 and 0.87
        assertEquals(0.115, Bootstrap.percentile(v, 2.5), 1e-12);
        assertEquals(0.87, Bootstrap.percentile(v, 97.5), 1e-12);
    }

    @Test
    void aBootstrapIntervalOfAMeanIsAboutTwoStandardErrorsWide() {
        double[] x = new double[500];
        java.util.SplittableRandom random = new java.util.SplittableRandom(3);
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextGaussian();
        }
        Bootstrap.Interval ci = Bootstrap.interval(x.length, idx -> mean(x, idx), 2000, 11);
        double se = 1 / Math.sqrt(x.length);
        assertEquals(2 * 1.96 * se, ci.high - ci.low, 0.25 * 2 * 1.96 * se);
        assertTrue(ci.low < ci.estimate && ci.estimate < ci.high);
        assertEquals(0, ci.undefined);
    }

    static double mean(double[] v, int[] idx) {
        double s = 0;
        for (int i : idx) {
            s += v[i];
        }
        return s / idx.length;
    }
}
