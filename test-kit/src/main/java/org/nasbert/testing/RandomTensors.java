package org.nasbert.testing;

import com.intel.analytics.bigdl.tensor.Tensor;
import org.nasbert.engine.BigDl;

import java.util.Random;

/** Tensors of standard normal values, for tests and benchmarks. */
public final class RandomTensors {
    private RandomTensors() {
    }

    public static Tensor<Float> normal(Random random, int... shape) {
        int n = 1;
        for (int s : shape) {
            n *= s;
        }
        float[] d = new float[n];
        for (int i = 0; i < n; i++) {
            d[i] = (float) random.nextGaussian();
        }
        return BigDl.tensor(d, shape);
    }
}
