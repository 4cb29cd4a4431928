package org.nasbert.nn;

import com.intel.analytics.bigdl.mkl.MKL;
import org.nasbert.engine.BigDl;

/** Element-wise math over arrays: MKL's vector math library when loaded (vectorised natives), else Java. */
final class Vml {
    private static final boolean MKL_LOADED = BigDl.mklLoaded(); // through the seam: MKL's code path is chosen first

    private Vml() {
    }

    /** In place: {@code a[i] = exp(a[i])} for n elements from offset. */
    static void exp(float[] a, int offset, int n) {
        if (MKL_LOADED) {
            MKL.vsExp(n, a, offset, a, offset);
        } else {
            for (int i = offset; i < offset + n; i++) {
                a[i] = FastMath.exp(a[i]);
            }
        }
    }

    /** {@code y[i] = a[i] + b[i]} for n elements from the offsets; y may be a or b. */
    static void add(int n, float[] a, int ao, float[] b, int bo, float[] y, int yo) {
        if (MKL_LOADED) {
            MKL.vsAdd(n, a, ao, b, bo, y, yo);
        } else {
            for (int i = 0; i < n; i++) {
                y[yo + i] = a[ao + i] + b[bo + i];
            }
        }
    }
}
