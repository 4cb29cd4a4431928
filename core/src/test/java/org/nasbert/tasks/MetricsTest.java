package org.nasbert.tasks;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * GLUE's metrics against values computed independently with NumPy 2.4 / SciPy 1.17 (binary MCC by the
 * TP/TN/FP/FN formula, 3-class MCC as the correlation of one-hot matrices, scipy.stats.pearsonr and spearmanr).
 */
class MetricsTest {
    private static final int[] PRED = {1, 0, 1, 1, 0, 1, 0, 0, 1, 1, 0, 1};
    private static final int[] GOLD = {1, 0, 0, 1, 0, 1, 1, 0, 1, 0, 0, 1};

    @Test
    void classificationMetricsMatchTheReference() {
        assertEquals(0.75, Metrics.accuracy(PRED, GOLD), 1e-12);
        assertEquals(0.7692307692307693, Metrics.f1(PRED, GOLD, 1), 1e-12);
        assertEquals(0.50709255283711, Metrics.matthews(PRED, GOLD), 1e-12);
        assertEquals(0.5454545454545453, Metrics.matthews(new int[]{0, 1, 2, 2, 1, 0, 0, 2, 1, 1},
                new int[]{0, 1, 2, 1, 1, 0, 2, 2, 0, 1}), 1e-12);
        assertEquals(0, Metrics.matthews(new int[]{1, 1, 1}, new int[]{0, 1, 0}), 0, "a constant prediction has MCC 0");
    }

    @Test
    void correlationsMatchScipyIncludingTies() {
        double[] x = {5.0, 4.75, 0.0, 3.2, 3.2, 1.5, 2.0, 4.0};
        double[] y = {4.1, 4.9, 0.6, 2.0, 3.5, 1.5, 1.5, 3.0};
        assertEquals(0.9208464503375429, Metrics.pearson(x, y), 1e-12);
        assertEquals(0.927710843373494, Metrics.spearman(x, y), 1e-12);
    }

    @Test
    void mismatchedOrEmptyInputIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Metrics.accuracy(new int[]{1}, new int[]{1, 0}));
        assertThrows(IllegalArgumentException.class, () -> Metrics.pearson(new double[0], new double[0]));
    }
}
