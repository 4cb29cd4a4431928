package org.nasbert.stats;

/**
 * Is model A better than model B on the same examples? McNemar's exact test for accuracy (the examples exactly one of
 * them gets right, binomial at 1/2, two-sided as statsmodels' mcnemar(exact=True)) and a paired bootstrap for any other
 * metric (the same resampled examples for both; two-sided p from how often the difference changes sign).
 */
public final class PairedTest {
    /** Significance level of the verdicts. */
    public static final double ALPHA = 0.05;

    /** A comparison's outcome: A − B on all examples, its interval when bootstrapped, the p-value and the verdict. */
    public static final class Result {
        public final String test;
        public final double difference;
        public final double low;
        public final double high;
        public final double p;

        Result(String test, double difference, double low, double high, double p) {
            this.test = test;
            this.difference = difference;
            this.low = low;
            this.high = high;
            this.p = p;
        }

        /** "better", "worse" (A against B, at {@link #ALPHA}) or "not distinguishable". */
        public String verdict() {
            return p >= ALPHA || difference == 0 ? "not distinguishable" : difference > 0 ? "better" : "worse";
        }
    }

    /** A per-example metric of one model's predictions at the given example indices. */
    public interface Metric {
        double of(int model, int[] indices);
    }

    private PairedTest() {
    }

    /** McNemar's exact test on two models' right/wrong per example; difference = accuracy(A) − accuracy(B). */
    public static Result mcnemar(boolean[] rightA, boolean[] rightB) {
        if (rightA.length != rightB.length || rightA.length == 0) {
            throw new IllegalArgumentException("McNemar needs both models' outcomes on the same examples: " + rightA.length + ", "
                    + rightB.length);
        }
        int onlyA = 0;
        int onlyB = 0;
        for (int i = 0; i < rightA.length; i++) {
            onlyA += rightA[i] && !rightB[i] ? 1 : 0;
            onlyB += !rightA[i] && rightB[i] ? 1 : 0;
        }
        double difference = (double) (onlyA - onlyB) / rightA.length;
        return new Result("mcnemar-exact", difference, Double.NaN, Double.NaN, binomialTwoSided(Math.min(onlyA, onlyB), onlyA + onlyB));
    }

    /**
     * Paired bootstrap: the metric of model 0 minus model 1 on the same resampled examples; interval = percentiles of the
     * differences, p = 2·min(share ≤ 0, share ≥ 0) (capped at 1).
     */
    public static Result pairedBootstrap(int examples, Metric metric, int resamples, long seed) {
        double[] kept = Bootstrap.definedSorted(Bootstrap.resample(examples, idx -> metric.of(0, idx) - metric.of(1, idx), resamples, seed));
        int atMost = 0;
        int atLeast = 0;
        for (double v : kept) {
            atMost += v <= 0 ? 1 : 0;
            atLeast += v >= 0 ? 1 : 0;
        }
        int[] all = Bootstrap.all(examples);
        double p = kept.length == 0 ? Double.NaN : Math.min(1, 2.0 * Math.min(atMost, atLeast) / kept.length);
        return new Result("paired-bootstrap", metric.of(0, all) - metric.of(1, all), Bootstrap.percentile(kept, 2.5),
                Bootstrap.percentile(kept, 97.5), p);
    }

    /** P(X ≤ k or X ≥ n − k) for X ~ Binomial(n, 1/2), k ≤ n/2; 1 when n = 0. Summed in logs so n may be large. */
    static double binomialTwoSided(int k, int n) {
        if (n == 0) {
            return 1;
        }
        double logHalfN = n * Math.log(0.5);
        double logChoose = 0; // log C(n, 0)
        double tail = 0;
        for (int i = 0; i <= k; i++) {
            if (i > 0) {
                logChoose += Math.log((double) (n - i + 1) / i);
            }
            tail += Math.exp(logChoose + logHalfN);
        }
        return Math.min(1, 2 * tail);
    }
}
