package org.nasbert.stats;

/** Mean and standard deviation of a few repeated measurements (scores over fine-tuning seeds). */
public final class Moments {
    private Moments() {
    }

    public static double mean(double[] x) {
        double sum = 0;
        for (double v : x) {
            sum += v;
        }
        return sum / x.length;
    }

    /** The sample standard deviation (n - 1 in the denominator, NumPy's ddof=1); 0 for a single value. */
    public static double sampleSd(double[] x) {
        if (x.length < 2) {
            return 0;
        }
        double m = mean(x);
        double ss = 0;
        for (double v : x) {
            ss += (v - m) * (v - m);
        }
        return Math.sqrt(ss / (x.length - 1));
    }
}
