package org.nasbert.tasks;

import java.util.Arrays;
import java.util.Comparator;

/** GLUE's metrics: accuracy, F1 of the positive class, Matthews correlation, Pearson and Spearman correlation. */
public final class Metrics {
    private Metrics() {
    }

    public static double accuracy(int[] predicted, int[] gold) {
        check(predicted.length, gold.length);
        int right = 0;
        for (int i = 0; i < gold.length; i++) {
            right += predicted[i] == gold[i] ? 1 : 0;
        }
        return (double) right / gold.length;
    }

    /** F1 of class {@code positive} (GLUE: 1 for MRPC and QQP); 0 when it is never predicted nor present. */
    public static double f1(int[] predicted, int[] gold, int positive) {
        check(predicted.length, gold.length);
        long tp = 0;
        long fp = 0;
        long fn = 0;
        for (int i = 0; i < gold.length; i++) {
            boolean p = predicted[i] == positive;
            boolean g = gold[i] == positive;
            tp += p && g ? 1 : 0;
            fp += p && !g ? 1 : 0;
            fn += !p && g ? 1 : 0;
        }
        return tp == 0 ? 0 : 2.0 * tp / (2.0 * tp + fp + fn);
    }

    /**
     * Matthews correlation over any number of classes (Gorodkin's R_K; for two classes the usual
     * (TP·TN − FP·FN) / sqrt(...)); 0 when either side is constant.
     */
    public static double matthews(int[] predicted, int[] gold) {
        check(predicted.length, gold.length);
        int k = 0;
        for (int i = 0; i < gold.length; i++) {
            k = Math.max(k, Math.max(predicted[i], gold[i]) + 1);
        }
        double[] t = new double[k];
        double[] p = new double[k];
        double c = 0;
        for (int i = 0; i < gold.length; i++) {
            t[gold[i]]++;
            p[predicted[i]]++;
            c += predicted[i] == gold[i] ? 1 : 0;
        }
        double s = gold.length;
        double pt = 0;
        double pp = 0;
        double tt = 0;
        for (int j = 0; j < k; j++) {
            pt += p[j] * t[j];
            pp += p[j] * p[j];
            tt += t[j] * t[j];
        }
        double denominator = Math.sqrt((s * s - pp) * (s * s - tt));
        return denominator == 0 ? 0 : (c * s - pt) / denominator;
    }

    public static double pearson(double[] x, double[] y) {
        check(x.length, y.length);
        double mx = mean(x);
        double my = mean(y);
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int i = 0; i < x.length; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxx == 0 || syy == 0 ? 0 : sxy / Math.sqrt(sxx * syy);
    }

    /** Pearson correlation of the ranks, ties sharing their average rank. */
    public static double spearman(double[] x, double[] y) {
        return pearson(ranks(x), ranks(y));
    }

    static double[] ranks(double[] v) {
        Integer[] order = new Integer[v.length];
        for (int i = 0; i < v.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble(i -> v[i]));
        double[] rank = new double[v.length];
        for (int i = 0; i < v.length; ) {
            int j = i;
            while (j + 1 < v.length && v[order[j + 1]] == v[order[i]]) {
                j++;
            }
            double average = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) {
                rank[order[k]] = average;
            }
            i = j + 1;
        }
        return rank;
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    private static void check(int a, int b) {
        if (a != b || a == 0) {
            throw new IllegalArgumentException("predictions and gold labels differ in count or are empty: " + a + " and " + b);
        }
    }
}
