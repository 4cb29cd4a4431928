package org.nasbert.jobs.trainblocks;

import java.io.Serializable;

/** What one partition sends back from a step: per block, the loss and the active groups' gradients; summed over partitions. */
final class StepResult implements Serializable {
    private static final long serialVersionUID = 1L;
    /** gradients[block][group in path order][value] */
    float[][][] gradients;
    double[] loss;
    int partitions;

    static StepResult empty() {
        return new StepResult();
    }

    StepResult add(StepResult other) {
        if (other.partitions == 0) {
            return this;
        }
        if (partitions == 0) {
            return other;
        }
        for (int n = 0; n < gradients.length; n++) {
            loss[n] += other.loss[n];
            for (int g = 0; g < gradients[n].length; g++) {
                float[] a = gradients[n][g];
                float[] b = other.gradients[n][g];
                for (int i = 0; i < a.length; i++) {
                    a[i] += b[i];
                }
            }
        }
        partitions += other.partitions;
        return this;
    }

    /** Bytes of gradients one partition sends. */
    long gradientBytes() {
        long n = 0;
        if (gradients != null) {
            for (float[][] block : gradients) {
                for (float[] g : block) {
                    n += 4L * g.length;
                }
            }
        }
        return n;
    }
}
