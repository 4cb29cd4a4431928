package org.nasbert.stats;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Kendall's tau-b and Spearman's rho against scipy.stats 1.17 (kendalltau, spearmanr) on worked examples, ties included. */
class RankCorrelationTest {
    @Test
    void tiesInBothListsMatchScipy() {
        double[] x = {1, 2, 2, 3, 4, 5, 5, 5, 6, 7};
        double[] y = {2, 1, 3, 3, 5, 4, 6, 6, 8, 7};
        assertEquals(0.8097533639902196, RankCorrelation.kendallTau(x, y), 1e-12);
        assertEquals(0.9257365248800182, RankCorrelation.spearman(x, y), 1e-12);
    }

    @Test
    void tiesInOneListMatchScipy() {
        double[] x = {1, 2, 3, 4, 5};
        double[] y = {5, 6, 7, 8, 7};
        assertEquals(0.7378647873726218, RankCorrelation.kendallTau(x, y), 1e-12);
        assertEquals(0.8207826816681233, RankCorrelation.spearman(x, y), 1e-12);
    }

    @Test
    void nineScoresAgainstNineLossesMatchScipy() {
        // the shape of a fidelity measurement: search scores against standalone losses
        double[] score = {0.0516, 0.0519, 0.0517, 0.0520, 0.0518, 0.0521, 0.0515, 0.0522, 0.0523};
        double[] standalone = {0.0470, 0.0466, 0.0473, 0.0468, 0.0477, 0.0463, 0.0471, 0.0469, 0.0475};
        assertEquals(-0.1111111111111111, RankCorrelation.kendallTau(score, standalone), 1e-12);
        assertEquals(-0.21666666666666667, RankCorrelation.spearman(score, standalone), 1e-12);
    }

    @Test
    void reversedOrderIsMinusOneAndAThreeCycleIsMinusAThird() {
        assertEquals(-1, RankCorrelation.kendallTau(new double[]{1, 2, 3, 4}, new double[]{4, 3, 2, 1}), 0);
        assertEquals(-0.33333333333333337, RankCorrelation.kendallTau(new double[]{3, 1, 2}, new double[]{1, 2, 3}), 1e-12);
    }

    @Test
    void aConstantListHasNoCorrelation() {
        assertTrue(Double.isNaN(RankCorrelation.kendallTau(new double[]{1, 1, 1}, new double[]{1, 2, 3})));
        assertTrue(Double.isNaN(RankCorrelation.spearman(new double[]{1, 2, 3}, new double[]{2, 2, 2})));
    }

    @Test
    void listsOfDifferentLengthsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> RankCorrelation.kendallTau(new double[]{1, 2}, new double[]{1, 2, 3}));
    }
}
