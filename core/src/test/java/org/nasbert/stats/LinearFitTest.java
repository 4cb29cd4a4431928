package org.nasbert.stats;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Least squares and leave-one-out predictions against numpy.linalg.lstsq (numpy 2.4) on block losses of eight students. */
class LinearFitTest {
    private static final double[][] X = {{0.0939, 0.0947, 0.0714, 0.0407}, {0.0943, 0.0950, 0.0704, 0.0375}, {0.0942, 0.0946, 0.0697, 0.0377},
            {0.0957, 0.0969, 0.0718, 0.0378}, {0.0940, 0.0943, 0.0705, 0.0407}, {0.0945, 0.0952, 0.0700, 0.0376},
            {0.0946, 0.0966, 0.0713, 0.0379}, {0.0939, 0.0944, 0.0715, 0.0375}};
    private static final double[] Y = {0.0641, 0.0659, 0.0652, 0.0670, 0.0640, 0.0660, 0.0668, 0.0655};

    @Test
    void weightsMatchNumpy() {
        double[] expected = {0.01623133416377359, -0.03301121350035996, 0.6956779901161341, 0.054180942566080637, -0.45875326325786364};
        assertArrayEquals(expected, LinearFit.fit(X, Y), 1e-6);
    }

    @Test
    void leaveOneOutMatchesNumpy() {
        double[] expected = {0.0643580704760525, 0.0657946895132642, 0.0655878992434223, 0.06950331311762459, 0.06370635284129003,
                0.06582377423602148, 0.06663901268000538, 0.06521643544788738};
        assertArrayEquals(expected, LinearFit.leaveOneOut(X, Y), 1e-7);
    }

    @Test
    void anExactLineIsRecoveredAndAConstantFeatureGetsNoWeight() {
        double[][] x = {{1, 5}, {2, 5}, {3, 5}, {4, 5}};
        double[] w = LinearFit.fit(x, new double[]{3, 5, 7, 9});
        assertEquals(1, w[0] + 5 * w[2], 1e-7); // intercept and the constant feature are not separable; together they are 1
        assertEquals(2, w[1], 1e-7);
        assertEquals(0, w[2], 1e-12);
    }

    @Test
    void leaveOneOutNeedsMoreItemsThanFeatures() {
        assertThrows(IllegalArgumentException.class, () -> LinearFit.leaveOneOut(new double[][]{{1, 2}, {2, 1}, {3, 3}}, new double[]{1, 2, 3}));
    }
}
