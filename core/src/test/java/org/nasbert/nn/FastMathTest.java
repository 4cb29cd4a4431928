package org.nasbert.nn;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The float exp and erf against double-precision references over their whole useful range. */
class FastMathTest {
    @Test
    void expIsWithinAFewUlpsOfMathExp() {
        double worst = 0;
        for (float x = -87f; x <= 88f; x += 0.000731f) {
            double relative = Math.abs(FastMath.exp(x) / Math.exp(x) - 1);
            worst = Math.max(worst, relative);
        }
        assertTrue(worst < 3e-7, "worst relative error " + worst);
        assertTrue(FastMath.exp(-100f) < 1.3e-38f, "clamped: about 1e-38 instead of 0");
        assertEquals(Float.POSITIVE_INFINITY, FastMath.exp(100f));
        assertEquals(1f, FastMath.exp(0f), 0f);
    }

    @Test
    void erfIsWithinFloatPrecisionOfAnAccurateReference() {
        double worst = 0;
        for (float x = -7f; x <= 7f; x += 0.0001f) {
            worst = Math.max(worst, Math.abs(FastMath.erf(x) - erf(x)));
        }
        assertTrue(worst < 5e-7, "worst absolute error " + worst);
        assertEquals(0.8427007929497149, FastMath.erf(1f), 1e-7); // erf(1), Python's math.erf
    }

    /** erf by its Maclaurin series (|x| < 3) or the continued fraction of erfc, in double: slow and accurate. */
    private static double erf(double x) {
        double ax = Math.abs(x);
        double r;
        if (ax < 3) {
            double term = ax;
            double sum = ax;
            for (int n = 1; n < 200; n++) {
                term *= -ax * ax / n;
                sum += term / (2 * n + 1);
            }
            r = 2 / Math.sqrt(Math.PI) * sum;
        } else {
            double f = ax;
            for (int k = 60; k >= 1; k--) {
                f = ax + k / 2.0 / f;
            }
            r = 1 - Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
        }
        return x < 0 ? -r : r;
    }
}
