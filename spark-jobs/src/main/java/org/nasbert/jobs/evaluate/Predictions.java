package org.nasbert.jobs.evaluate;

import org.nasbert.tasks.Metrics;

import java.io.Serializable;

/**
 * One model's predictions on one file, beside the gold answers: class ids (classification) or scores (regression).
 * A metric can be taken on any resample of the examples, which is what the intervals and the paired tests need.
 */
final class Predictions implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Predicted class per example; null for regression. */
    final int[] labels;
    /** Predicted score per example; null for classification. */
    final double[] values;

    private Predictions(int[] labels, double[] values) {
        this.labels = labels;
        this.values = values;
    }

    static Predictions ofLabels(int[] labels) {
        return new Predictions(labels, null);
    }

    static Predictions ofValues(double[] values) {
        return new Predictions(null, values);
    }

    int size() {
        return labels != null ? labels.length : values.length;
    }

    /**
     * Several fine-tunings' predictions of the same examples one after another: the pool that the intervals and paired
     * tests of a model fine-tuned with several seeds are taken on (seed k's example i paired with the baseline's).
     */
    static Predictions pooled(java.util.List<Predictions> seeds) {
        Predictions first = seeds.get(0);
        int n = first.size();
        int[] l = first.labels == null ? null : new int[n * seeds.size()];
        double[] v = first.values == null ? null : new double[n * seeds.size()];
        for (int k = 0; k < seeds.size(); k++) {
            if (l != null) {
                System.arraycopy(seeds.get(k).labels, 0, l, k * n, n);
            } else {
                System.arraycopy(seeds.get(k).values, 0, v, k * n, n);
            }
        }
        return new Predictions(l, v);
    }

    /** The gold answers of a file, in the same two forms. */
    static final class Gold {
        final int[] labels;
        final double[] values;

        Gold(int[] labels, double[] values) {
            this.labels = labels;
            this.values = values;
        }

        /** The answers for a pool of {@code times} fine-tunings' predictions ({@link #pooled}). */
        Gold repeated(int times) {
            int n = labels.length;
            int[] l = new int[n * times];
            double[] v = new double[n * times];
            for (int k = 0; k < times; k++) {
                System.arraycopy(labels, 0, l, k * n, n);
                System.arraycopy(values, 0, v, k * n, n);
            }
            return new Gold(l, v);
        }
    }

    /** Whether the prediction for example i is right (classification only). */
    boolean right(Gold gold, int i) {
        return labels[i] == gold.labels[i];
    }

    /** Metric {@code name} (accuracy, f1, matthews, pearson, spearman) on the examples at {@code idx}. */
    double metric(String name, Gold gold, int[] idx) {
        if (labels != null) {
            int[] p = new int[idx.length];
            int[] g = new int[idx.length];
            for (int i = 0; i < idx.length; i++) {
                p[i] = labels[idx[i]];
                g[i] = gold.labels[idx[i]];
            }
            return "accuracy".equals(name) ? Metrics.accuracy(p, g) : "f1".equals(name) ? Metrics.f1(p, g, 1) : Metrics.matthews(p, g);
        }
        double[] p = new double[idx.length];
        double[] g = new double[idx.length];
        for (int i = 0; i < idx.length; i++) {
            p[i] = values[idx[i]];
            g[i] = gold.values[idx[i]];
        }
        return "pearson".equals(name) ? Metrics.pearson(p, g) : Metrics.spearman(p, g);
    }
}
