package org.nasbert.nn;

import org.junit.jupiter.api.Test;
import org.nasbert.engine.BigDl;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Blas's observer sees each product's shape as the layers call it, and nothing once removed. */
class BlasObserverTest {

    @Test
    void anObserverSeesADenseLayersProductsInOrderAndNothingAfterItIsRemoved() {
        List<String> seen = new ArrayList<>();
        Blas.Observer record = (transA, transB, m, n, k, lda, ldb, beta, ldc) -> seen.add(
                (transA ? "T" : "N") + (transB ? "T" : "N") + " " + m + "x" + n + "x" + k + " ld " + lda + "," + ldb + "," + ldc
                        + " beta " + beta);
        Dense dense = new Dense(3, 5, new Random(1));
        float[] rows = new float[4 * 3];
        Arrays.fill(rows, 0.5f);
        Blas.observe(record);
        try {
            // y (4 x 5) = x (4 x 3) W^T, onto the bias rows; dx (4 x 3) = dy W; dW (5 x 3) += dy^T x; db += ones (1 x 4) dy
            dense.forward(BigDl.tensor(rows, 4, 3));
            dense.backward(BigDl.tensor(rows, 4, 3), BigDl.tensor(new float[4 * 5], 4, 5));
        } finally {
            Blas.observe(null);
        }
        assertEquals(Arrays.asList(
                "NT 4x5x3 ld 3,3,5 beta 1.0",
                "NN 4x3x5 ld 5,3,3 beta 0.0",
                "TN 5x3x4 ld 5,3,3 beta 1.0",
                "NN 1x5x4 ld 4,5,5 beta 1.0"), seen);
        dense.forward(BigDl.tensor(rows, 4, 3));
        assertEquals(4, seen.size(), "no observer, nothing seen");
    }
}
