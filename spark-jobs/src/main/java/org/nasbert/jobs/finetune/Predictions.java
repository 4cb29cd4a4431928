package org.nasbert.jobs.finetune;

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

    /** The gold answers of a file, in the same two forms. */
    static final class Gold {
        final int[] labels;
        final double[] values;

        Gold(int[] labels, double[] values) {
            this.labels = labels;
            this.values = values;
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
