package org.nasbert.bench;

import org.nasbert.nn.Blas;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A step's matrix products, recorded through {@link Blas#observe} while the step runs, then replayed alone (same
 * shapes, transpositions, leading dimensions and beta) on scratch arrays: how fast MKL runs the step's own products
 * with nothing else between them. The scratch arrays are shared by all products, so the small ones find their
 * operands in cache more often than in the step: the replay's time is a floor for the step's products.
 */
final class GemmReplay implements Blas.Observer {
    private static final class Call {
        final boolean transA;
        final boolean transB;
        final int m;
        final int n;
        final int k;
        final int lda;
        final int ldb;
        final float beta;
        final int ldc;

        Call(boolean transA, boolean transB, int m, int n, int k, int lda, int ldb, float beta, int ldc) {
            this.transA = transA;
            this.transB = transB;
            this.m = m;
            this.n = n;
            this.k = k;
            this.lda = lda;
            this.ldb = ldb;
            this.beta = beta;
            this.ldc = ldc;
        }
    }

    private final List<Call> calls = new ArrayList<>();
    private long flops;
    private float[] a;
    private float[] b;
    private float[] c;

    /** Runs {@code step} once, recording its products. */
    static GemmReplay record(Runnable step) {
        GemmReplay replay = new GemmReplay();
        Blas.observe(replay);
        try {
            step.run();
        } finally {
            Blas.observe(null);
        }
        replay.allocate();
        return replay;
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, int lda, int ldb, float beta, int ldc) {
        calls.add(new Call(transA, transB, m, n, k, lda, ldb, beta, ldc));
        flops += 2L * m * n * k;
    }

    /** Floats a row-major operand of rows x cols with leading dimension ld spans. */
    private static int span(int rows, int cols, int ld) {
        return rows == 0 || cols == 0 ? 0 : (rows - 1) * ld + cols;
    }

    private void allocate() {
        int maxA = 0;
        int maxB = 0;
        int maxC = 0;
        for (Call x : calls) {
            maxA = Math.max(maxA, x.transA ? span(x.k, x.m, x.lda) : span(x.m, x.k, x.lda));
            maxB = Math.max(maxB, x.transB ? span(x.n, x.k, x.ldb) : span(x.k, x.n, x.ldb));
            maxC = Math.max(maxC, span(x.m, x.n, x.ldc));
        }
        a = new float[maxA];
        b = new float[maxB];
        c = new float[maxC];
        Arrays.fill(a, 0.01f); // not zero, not denormal
        Arrays.fill(b, 0.01f);
    }

    int products() {
        return calls.size();
    }

    /** Floating-point operations of the recorded products (2mnk each). */
    long flops() {
        return flops;
    }

    /** Runs every recorded product once, in order; returns the seconds they took. */
    double replay() {
        Arrays.fill(c, 0f); // beta = 1 products accumulate: keep the values small from replay to replay
        long t0 = System.nanoTime();
        for (Call x : calls) {
            Blas.gemm(x.transA, x.transB, x.m, x.n, x.k, 1f, a, 0, x.lda, b, 0, x.ldb, x.beta, c, 0, x.ldc);
        }
        return (System.nanoTime() - t0) / 1e9;
    }
}
