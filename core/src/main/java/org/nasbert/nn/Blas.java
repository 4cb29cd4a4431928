package org.nasbert.nn;

import com.intel.analytics.bigdl.mkl.MKL;
import org.nasbert.engine.BigDl;

/**
 * Row-major single-precision matrix multiply on raw arrays: {@code C = alpha * op(A) * op(B) + beta * C}
 * with op(A) m x k, op(B) k x n, C m x n. MKL's sgemm (BigDL's natives) when loaded, else plain Java.
 */
public final class Blas {
    private static final boolean MKL_LOADED = BigDl.mklLoaded(); // through the seam: MKL's code path is chosen first

    /** Sees each product's shape before it runs (a benchmark replays a step's products alone); none in the pipeline. */
    public interface Observer {
        void gemm(boolean transA, boolean transB, int m, int n, int k, int lda, int ldb, float beta, int ldc);
    }

    private static Observer observer;

    private Blas() {
    }

    /**
     * Shows every later product on this JVM to {@code o} (null: to none). Not synchronised: set and clear it from the
     * thread that runs the products.
     */
    public static void observe(Observer o) {
        observer = o;
    }

    public static void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                            float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb,
                            float beta, float[] c, int cOffset, int ldc) {
        if (m == 0 || n == 0) {
            return;
        }
        if (observer != null) {
            observer.gemm(transA, transB, m, n, k, lda, ldb, beta, ldc);
        }
        if (MKL_LOADED) {
            // Row-major C is column-major C^T = op(B)^T op(A)^T: swap the operands, keep the flags.
            MKL.vsgemm(transB ? 'T' : 'N', transA ? 'T' : 'N', n, m, k, alpha,
                    b, bOffset, ldb, a, aOffset, lda, beta, c, cOffset, ldc);
        } else {
            javaGemm(transA, transB, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset, ldc);
        }
    }

    /** {@code sums[j] += sum_r a[r][j]} over a row-major rows x cols matrix: a product with a row of ones. */
    public static void addColumnSums(int rows, int cols, float[] a, int aOffset, float[] sums, int sumsOffset) {
        float[] ones = new float[rows];
        java.util.Arrays.fill(ones, 1f);
        gemm(false, false, 1, cols, rows, 1f, ones, 0, rows, a, aOffset, cols, 1f, sums, sumsOffset, cols);
    }

    static void javaGemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                         float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb,
                         float beta, float[] c, int cOffset, int ldc) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                for (int p = 0; p < k; p++) {
                    float x = transA ? a[aOffset + p * lda + i] : a[aOffset + i * lda + p];
                    float y = transB ? b[bOffset + j * ldb + p] : b[bOffset + p * ldb + j];
                    sum += x * y;
                }
                int at = cOffset + i * ldc + j;
                c[at] = (float) (alpha * sum + (beta == 0 ? 0 : beta * c[at]));
            }
        }
    }
}
