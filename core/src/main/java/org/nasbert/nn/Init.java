package org.nasbert.nn;

import com.intel.analytics.bigdl.tensor.Tensor;
import org.nasbert.engine.BigDl;

import java.util.Random;

/** Weight initialisation as BERT does it: truncated-free normal with standard deviation 0.02. */
public final class Init {
    private Init() {
    }

    public static Tensor<Float> normal(Random random, float std, int... shape) {
        int n = 1;
        for (int s : shape) {
            n *= s;
        }
        float[] data = new float[n];
        for (int i = 0; i < n; i++) {
            data[i] = (float) (random.nextGaussian() * std);
        }
        return BigDl.tensor(data, shape);
    }

    static Tensor<Float> ones(int n) {
        return Tensors.zeros(n).fill(1f);
    }
}
