package org.nasbert.nn;

/**
 * Sums over one row held in a 0-based local buffer, in double with four independent accumulators: the statistics
 * stay in double without a serial dependency on every element (a single accumulator's add latency bounded the
 * loops before).
 */
final class RowMath {
    private RowMath() {
    }

    static double sum(float[] v, int n) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int j = 0;
        for (; j + 3 < n; j += 4) {
            s0 += v[j];
            s1 += v[j + 1];
            s2 += v[j + 2];
            s3 += v[j + 3];
        }
        for (; j < n; j++) {
            s0 += v[j];
        }
        return (s0 + s1) + (s2 + s3);
    }

    static double centredSquares(float[] v, float mean, int n) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int j = 0;
        for (; j + 3 < n; j += 4) {
            float c0 = v[j] - mean, c1 = v[j + 1] - mean, c2 = v[j + 2] - mean, c3 = v[j + 3] - mean;
            s0 += c0 * c0;
            s1 += c1 * c1;
            s2 += c2 * c2;
            s3 += c3 * c3;
        }
        for (; j < n; j++) {
            float c = v[j] - mean;
            s0 += c * c;
        }
        return (s0 + s1) + (s2 + s3);
    }

    static double dot(float[] a, float[] b, int n) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int j = 0;
        for (; j + 3 < n; j += 4) {
            s0 += a[j] * b[j];
            s1 += a[j + 1] * b[j + 1];
            s2 += a[j + 2] * b[j + 2];
            s3 += a[j + 3] * b[j + 3];
        }
        for (; j < n; j++) {
            s0 += a[j] * b[j];
        }
        return (s0 + s1) + (s2 + s3);
    }
}
