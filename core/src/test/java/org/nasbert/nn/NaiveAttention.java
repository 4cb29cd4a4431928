package org.nasbert.nn;

import com.intel.analytics.bigdl.tensor.Tensor;

/** Multi-head self-attention written out loop by loop in double, as an independent reference. */
final class NaiveAttention {
    private NaiveAttention() {
    }

    static double[][][] forward(Tensor<Float> x, Tensor<Float> mask, int heads, Tensor<Float> wq, Tensor<Float> bq,
                                Tensor<Float> wk, Tensor<Float> bk, Tensor<Float> wv, Tensor<Float> bv,
                                Tensor<Float> wo, Tensor<Float> bo) {
        int batch = x.size(1), seq = x.size(2), hidden = x.size(3), d = hidden / heads;
        double[][][] out = new double[batch][seq][hidden];
        for (int b = 0; b < batch; b++) {
            double[][] q = linear(x, b, wq, bq), k = linear(x, b, wk, bk), v = linear(x, b, wv, bv);
            double[][] context = new double[seq][hidden];
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < seq; i++) {
                    double[] weights = new double[seq];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < seq; j++) {
                        double s = 0;
                        for (int c = h * d; c < (h + 1) * d; c++) {
                            s += q[i][c] * k[j][c];
                        }
                        weights[j] = mask.valueAt(b + 1, j + 1) == 0 ? Double.NEGATIVE_INFINITY : s / Math.sqrt(d);
                        max = Math.max(max, weights[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < seq; j++) {
                        weights[j] = Math.exp(weights[j] - max);
                        sum += weights[j];
                    }
                    for (int j = 0; j < seq; j++) {
                        for (int c = h * d; c < (h + 1) * d; c++) {
                            context[i][c] += weights[j] / sum * v[j][c];
                        }
                    }
                }
            }
            for (int i = 0; i < seq; i++) {
                for (int o = 0; o < hidden; o++) {
                    double s = bo.valueAt(o + 1);
                    for (int c = 0; c < hidden; c++) {
                        s += context[i][c] * wo.valueAt(o + 1, c + 1);
                    }
                    out[b][i][o] = s;
                }
            }
        }
        return out;
    }

    private static double[][] linear(Tensor<Float> x, int b, Tensor<Float> w, Tensor<Float> bias) {
        int seq = x.size(2), hidden = x.size(3);
        double[][] y = new double[seq][w.size(1)];
        for (int t = 0; t < seq; t++) {
            for (int o = 0; o < w.size(1); o++) {
                double s = bias.valueAt(o + 1);
                for (int c = 0; c < hidden; c++) {
                    s += x.valueAt(b + 1, t + 1, c + 1) * w.valueAt(o + 1, c + 1);
                }
                y[t][o] = s;
            }
        }
        return y;
    }
}
