package org.nasbert.stats;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Mean and sample standard deviation against NumPy 2.4 ({@code np.mean(x)}, {@code np.std(x, ddof=1)}). */
class MomentsTest {
    @Test
    void threeSeedsMatchNumpy() {
        double[] x = {0.81, 0.8233, 0.79};
        assertEquals(0.8077666666666667, Moments.mean(x), 1e-15);
        assertEquals(0.016761960903585633, Moments.sampleSd(x), 1e-15);
    }

    @Test
    void fourValuesMatchNumpy() {
        double[] x = {1, 2, 3, 4};
        assertEquals(2.5, Moments.mean(x), 0);
        assertEquals(1.2909944487358056, Moments.sampleSd(x), 1e-15);
    }

    @Test
    void oneSeedHasNoSpread() {
        assertEquals(0.5, Moments.mean(new double[]{0.5}), 0);
        assertEquals(0.0, Moments.sampleSd(new double[]{0.5}), 0);
    }
}
