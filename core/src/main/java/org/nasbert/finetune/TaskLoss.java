package org.nasbert.finetune;

/**
 * Task distillation's loss (NAS-BERT §4.1.2, after Hinton et al.): {@code (1 - λ) task + λ KD}. For classes, task is the
 * cross entropy with the gold label and KD is {@code T² KL(softmax(t/T) || softmax(s/T))} against the fine-tuned
 * teacher's logits t (the T² keeps its gradient's scale independent of T); for a regression, both are squared errors,
 * to the gold score and to the teacher's. Means over the batch; without teacher logits λ is taken as 0.
 */
public final class TaskLoss {
    private TaskLoss() {
    }

    /**
     * @param logits  [batch][classes] of the model being trained
     * @param teacher the teacher's logits for the same rows, or null
     * @param grad    receives d(loss)/d(logits), same shape
     */
    public static double classification(float[][] logits, int[] labels, float[][] teacher, double lambda, double temperature,
                                        float[][] grad) {
        double kd = teacher == null ? 0 : lambda;
        double loss = 0;
        int batch = logits.length;
        for (int b = 0; b < batch; b++) {
            double[] p = softmax(logits[b], 1);
            double task = -Math.log(Math.max(p[labels[b]], 1e-30));
            double[] g = new double[p.length];
            for (int c = 0; c < p.length; c++) {
                g[c] = (1 - kd) * (p[c] - (c == labels[b] ? 1 : 0));
            }
            double distill = 0;
            if (kd > 0) {
                double[] q = softmax(teacher[b], temperature);
                double[] pt = softmax(logits[b], temperature);
                for (int c = 0; c < q.length; c++) {
                    if (q[c] > 0) {
                        distill += q[c] * (Math.log(q[c]) - Math.log(Math.max(pt[c], 1e-30)));
                    }
                    g[c] += kd * temperature * (pt[c] - q[c]);
                }
                distill *= temperature * temperature;
            }
            loss += (1 - kd) * task + kd * distill;
            for (int c = 0; c < g.length; c++) {
                grad[b][c] = (float) (g[c] / batch);
            }
        }
        return loss / batch;
    }

    /** Squared errors; {@code logits[b][0]} is the prediction. */
    public static double regression(float[][] logits, double[] targets, float[][] teacher, double lambda, float[][] grad) {
        double kd = teacher == null ? 0 : lambda;
        double loss = 0;
        int batch = logits.length;
        for (int b = 0; b < batch; b++) {
            double s = logits[b][0];
            double task = s - targets[b];
            double distill = teacher == null ? 0 : s - teacher[b][0];
            loss += (1 - kd) * task * task + kd * distill * distill;
            grad[b][0] = (float) (2 * ((1 - kd) * task + kd * distill) / batch);
        }
        return loss / batch;
    }

    /** softmax(x / T) in double. */
    public static double[] softmax(float[] x, double temperature) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : x) {
            max = Math.max(max, v / temperature);
        }
        double[] p = new double[x.length];
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            p[i] = Math.exp(x[i] / temperature - max);
            sum += p[i];
        }
        for (int i = 0; i < x.length; i++) {
            p[i] /= sum;
        }
        return p;
    }
}
