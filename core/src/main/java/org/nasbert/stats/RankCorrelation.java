package org.nasbert.stats;

import org.nasbert.tasks.Metrics;

/**
 * How well one ordering agrees with another: Kendall's tau-b (ties in either list handled as SciPy's kendalltau does)
 * and Spearman's rho (Pearson correlation of average ranks, as scipy.stats.spearmanr). Block-wise NAS papers (DNA,
 * DONNA) report the supernet's ranking against standalone training this way.
 */
public final class RankCorrelation {
    private RankCorrelation() {
    }

    /** Kendall's tau-b; NaN when either list is constant (no pair can be ordered). O(n²): meant for tens of items. */
    public static double kendallTau(double[] x, double[] y) {
        check(x, y);
        long concordant = 0;
        long discordant = 0;
        long tiedX = 0;
        long tiedY = 0;
        for (int i = 0; i < x.length; i++) {
            for (int j = i + 1; j < x.length; j++) {
                int dx = Double.compare(x[i], x[j]);
                int dy = Double.compare(y[i], y[j]);
                if (dx == 0 || dy == 0) {
                    tiedX += dx == 0 ? 1 : 0;
                    tiedY += dy == 0 ? 1 : 0;
                } else if (dx == dy) {
                    concordant++;
                } else {
                    discordant++;
                }
            }
        }
        long pairs = (long) x.length * (x.length - 1) / 2;
        double denominator = Math.sqrt((double) (pairs - tiedX) * (pairs - tiedY));
        return denominator == 0 ? Double.NaN : (concordant - discordant) / denominator;
    }

    /** Spearman's rho; NaN when either list is constant. */
    public static double spearman(double[] x, double[] y) {
        check(x, y);
        if (constant(x) || constant(y)) {
            return Double.NaN;
        }
        return Metrics.spearman(x, y);
    }

    private static boolean constant(double[] v) {
        for (double d : v) {
            if (Double.compare(d, v[0]) != 0) {
                return false;
            }
        }
        return true;
    }

    private static void check(double[] x, double[] y) {
        if (x.length != y.length || x.length < 2) {
            throw new IllegalArgumentException("rank correlation needs two lists of the same length >= 2: " + x.length + " and " + y.length);
        }
    }
}
