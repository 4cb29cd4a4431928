package org.nasbert.stats;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Percentile bootstrap over items (examples, architectures): resample the indices with replacement, recompute the
 * statistic, take the 2.5th and 97.5th percentiles (NumPy's linear interpolation). Resamples on which the statistic is
 * undefined (NaN, e.g. a rank correlation of a resample that repeats one item) are left out and counted.
 */
public final class Bootstrap {
    /** A statistic of the items at the given indices (an index may repeat). */
    public interface Statistic {
        double of(int[] indices);
    }

    /** The statistic on all items and its 95% interval. */
    public static final class Interval {
        public final double estimate;
        public final double low;
        public final double high;
        public final int resamples;
        public final int undefined;

        Interval(double estimate, double low, double high, int resamples, int undefined) {
            this.estimate = estimate;
            this.low = low;
            this.high = high;
            this.resamples = resamples;
            this.undefined = undefined;
        }

        @Override
        public String toString() {
            return String.format("%.4f [%.4f, %.4f]", estimate, low, high);
        }
    }

    private Bootstrap() {
    }

    public static Interval interval(int items, Statistic statistic, int resamples, long seed) {
        double[] kept = definedSorted(resample(items, statistic, resamples, seed));
        double estimate = statistic.of(all(items));
        return new Interval(estimate, percentile(kept, 2.5), percentile(kept, 97.5), resamples, resamples - kept.length);
    }

    /** The statistic on {@code resamples} resamples (NaN where undefined), in the order drawn. */
    public static double[] resample(int items, Statistic statistic, int resamples, long seed) {
        if (items < 1 || resamples < 1) {
            throw new IllegalArgumentException("bootstrap needs at least one item and one resample: " + items + ", " + resamples);
        }
        SplittableRandom random = new SplittableRandom(seed);
        double[] out = new double[resamples];
        int[] indices = new int[items];
        for (int r = 0; r < resamples; r++) {
            for (int i = 0; i < items; i++) {
                indices[i] = random.nextInt(items);
            }
            out[r] = statistic.of(indices);
        }
        return out;
    }

    /** The values that are not NaN, sorted. */
    static double[] definedSorted(double[] values) {
        double[] kept = Arrays.stream(values).filter(v -> !Double.isNaN(v)).toArray();
        Arrays.sort(kept);
        return kept;
    }

    /** Every index once: the statistic on the sample itself. */
    public static int[] all(int items) {
        int[] indices = new int[items];
        for (int i = 0; i < items; i++) {
            indices[i] = i;
        }
        return indices;
    }

    /** NumPy's default ("linear") percentile of sorted values; NaN when there are none. */
    public static double percentile(double[] sorted, double percent) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        double position = percent / 100 * (sorted.length - 1);
        int below = (int) Math.floor(position);
        int above = Math.min(below + 1, sorted.length - 1);
        return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
    }
}
