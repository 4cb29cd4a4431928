package org.nasbert.stats;

/**
 * Least squares with an intercept, y ≈ w0 + Σ w_j x_j, solved from the normal equations (features centred, a ridge of
 * 1e-9 of each feature's variance for rank-deficient samples), and leave-one-out predictions: each item predicted by a
 * fit to the others, which is how a predictor calibrated on a few measured students is tested honestly (DONNA fits its
 * accuracy predictor to block-wise losses this way).
 */
public final class LinearFit {
    private LinearFit() {
    }

    /** {w0, w1, ..., wd} for rows x[i] (d features each) and targets y. */
    public static double[] fit(double[][] x, double[] y) {
        int n = y.length;
        int d = x[0].length;
        double[] mean = new double[d];
        double my = 0;
        for (int i = 0; i < n; i++) {
            my += y[i] / n;
            for (int j = 0; j < d; j++) {
                mean[j] += x[i][j] / n;
            }
        }
        double[][] a = new double[d][d + 1];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                double xj = x[i][j] - mean[j];
                for (int k = 0; k < d; k++) {
                    a[j][k] += xj * (x[i][k] - mean[k]);
                }
                a[j][d] += xj * (y[i] - my);
            }
        }
        for (int j = 0; j < d; j++) {
            a[j][j] += 1e-9 * Math.max(a[j][j], 1e-300);
        }
        double[] w = solve(a);
        double[] out = new double[d + 1];
        out[0] = my;
        for (int j = 0; j < d; j++) {
            out[j + 1] = w[j];
            out[0] -= w[j] * mean[j];
        }
        return out;
    }

    public static double predict(double[] w, double[] x) {
        double s = w[0];
        for (int j = 0; j < x.length; j++) {
            s += w[j + 1] * x[j];
        }
        return s;
    }

    /** Each item's prediction from a fit to all the others. */
    public static double[] leaveOneOut(double[][] x, double[] y) {
        int n = y.length;
        if (n < x[0].length + 2) {
            throw new IllegalArgumentException("leave-one-out needs more items than features + 1: " + n + " items, " + x[0].length
                    + " features");
        }
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            double[][] xs = new double[n - 1][];
            double[] ys = new double[n - 1];
            for (int j = 0, k = 0; j < n; j++) {
                if (j != i) {
                    xs[k] = x[j];
                    ys[k++] = y[j];
                }
            }
            out[i] = predict(fit(xs, ys), x[i]);
        }
        return out;
    }

    /** Gauss-Jordan with partial pivoting on an augmented d x (d+1) matrix. */
    private static double[] solve(double[][] a) {
        int d = a.length;
        for (int c = 0; c < d; c++) {
            int pivot = c;
            for (int r = c + 1; r < d; r++) {
                pivot = Math.abs(a[r][c]) > Math.abs(a[pivot][c]) ? r : pivot;
            }
            double[] t = a[c];
            a[c] = a[pivot];
            a[pivot] = t;
            if (a[c][c] == 0) {
                continue; // a feature constant over the sample: its weight stays 0
            }
            for (int r = 0; r < d; r++) {
                if (r != c) {
                    double f = a[r][c] / a[c][c];
                    for (int k = c; k <= d; k++) {
                        a[r][k] -= f * a[c][k];
                    }
                }
            }
        }
        double[] w = new double[d];
        for (int j = 0; j < d; j++) {
            w[j] = a[j][j] == 0 ? 0 : a[j][d] / a[j][j];
        }
        return w;
    }
}
