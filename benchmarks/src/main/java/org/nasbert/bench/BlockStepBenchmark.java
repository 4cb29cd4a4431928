package org.nasbert.bench;

import com.intel.analytics.bigdl.mkl.MKL;
import com.intel.analytics.bigdl.tensor.Tensor;
import org.nasbert.engine.BigDl;
import org.nasbert.nn.Blas;
import org.nasbert.space.BlockPath;
import org.nasbert.space.SearchSpace;
import org.nasbert.supernet.SupernetBlock;

import org.nasbert.testing.RandomTensors;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * One supernet block step (forward and backward through a path) beside MKL's sgemm, on one thread, in the
 * same JVM, runs interleaved: the step's achieved FLOP/s over sgemm's; and the step's own matrix products replayed
 * alone ({@link GemmReplay}), which splits the gap into what MKL makes of the step's shapes and what the step spends
 * outside its products. Also the bytes a path-sparse step
 * ships for the same path when the supernet holds 1 candidate per layer and when it holds the paper's 26, and
 * the same step in PyTorch for reference ({@link TorchReference}).
 */
final class BlockStepBenchmark {
    private BlockStepBenchmark() {
    }

    public static void main(String[] args) {
        int hidden = TokenizeBenchmark.intArg(args, "--hidden", 512);
        int batch = TokenizeBenchmark.intArg(args, "--batch", 32);
        int seq = TokenizeBenchmark.intArg(args, "--seq", 128);
        int teacher = TokenizeBenchmark.intArg(args, "--teacher-hidden", 768);
        int runs = TokenizeBenchmark.intArg(args, "--runs", 5);
        int stepsPerRun = TokenizeBenchmark.intArg(args, "--steps", 2);
        String torch = TokenizeBenchmark.stringArg(args, "--torch", "/usr/bin/python3");
        MKL.setNumThreads(1);
        SearchSpace paper = SearchSpace.paper();
        BlockPath path = BlockPath.parse(hidden + ":mha,ffn,mha,ffn,mha,ffn");
        SupernetBlock block = new SupernetBlock(new SearchSpace(new int[]{hidden}, new int[]{3}, 6, 4), teacher, 1);
        Random random = new Random(2);
        Tensor<Float> x = RandomTensors.normal(random, batch, seq, teacher);
        Tensor<Float> y = RandomTensors.normal(random, batch, seq, teacher);
        Tensor<Float> mask = BigDl.tensor(ones(batch * seq), batch, seq);
        long tokens = (long) batch * seq;
        // forward + backward = 3x the forward's matrix products; projections in and out
        double flops = 3.0 * (batch * path.flops(4, seq) + 2.0 * 2 * tokens * teacher * hidden);
        int gm = (int) tokens;
        float[] a = new float[gm * hidden];
        float[] b = new float[hidden * 4 * hidden];
        float[] c = new float[gm * 4 * hidden];
        double sgemmFlops = 2.0 * gm * hidden * 4 * hidden;
        System.out.printf("block step benchmark: path %s, teacher hidden %d, batch %d x %d tokens, 1 thread, %d runs after a warm-up; "
                + "MKL %s; %s %s%n", path, teacher, batch, seq, runs, BigDl.mklLoaded(), System.getProperty("java.vm.name"),
                System.getProperty("java.version"));
        for (int i = 0; i < 2; i++) {
            step(block, path, x, mask, y);
        }
        Blas.gemm(false, false, gm, 4 * hidden, hidden, 1f, a, 0, hidden, b, 0, 4 * hidden, 0f, c, 0, 4 * hidden);
        GemmReplay products = GemmReplay.record(() -> step(block, path, x, mask, y));
        products.replay();
        List<Double> ratios = new ArrayList<>();
        List<Double> productRatios = new ArrayList<>();
        List<Double> outside = new ArrayList<>();
        List<Double> stepRates = new ArrayList<>();
        List<Double> gemmRates = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            double stepSeconds = 0;
            for (int i = 0; i < stepsPerRun; i++) {
                stepSeconds += step(block, path, x, mask, y) / stepsPerRun;
            }
            long t0 = System.nanoTime();
            int reps = 5 * stepsPerRun;
            for (int i = 0; i < reps; i++) {
                Blas.gemm(false, false, gm, 4 * hidden, hidden, 1f, a, 0, hidden, b, 0, 4 * hidden, 0f, c, 0, 4 * hidden);
            }
            double gemmSeconds = (System.nanoTime() - t0) / 1e9 / reps;
            double productSeconds = 0;
            for (int i = 0; i < stepsPerRun; i++) {
                productSeconds += products.replay() / stepsPerRun;
            }
            double stepRate = flops / stepSeconds / 1e9;
            double gemmRate = sgemmFlops / gemmSeconds / 1e9;
            stepRates.add(stepRate);
            gemmRates.add(gemmRate);
            ratios.add(stepRate / gemmRate);
            double productRate = products.flops() / productSeconds / 1e9;
            productRatios.add(productRate / gemmRate);
            outside.add(1 - productSeconds / stepSeconds);
            System.out.printf("  run %d: block step %.1f GFLOP/s (%.0f ms, %.0f tokens/s), sgemm %d x %d x %d %.1f GFLOP/s, ratio %.2f; "
                    + "the step's products alone %.0f ms, %.1f GFLOP/s, %.2f of sgemm%n", r + 1, stepRate, stepSeconds * 1e3,
                    tokens / stepSeconds, gm, 4 * hidden, hidden, gemmRate, stepRate / gemmRate, productSeconds * 1e3, productRate,
                    productRate / gemmRate);
        }
        double medianRate = TokenizeBenchmark.median(stepRates);
        System.out.printf("median: block step %.1f GFLOP/s (%.0f tokens/s), sgemm %.1f GFLOP/s, ratio %.2f%n",
                medianRate, tokens * medianRate * 1e9 / flops, TokenizeBenchmark.median(gemmRates),
                TokenizeBenchmark.median(ratios));
        System.out.printf("the step's %d matrix products (%.1f GFLOP) replayed alone in MKL: %.2f of sgemm's rate (median); "
                        + "the step spends %.0f%% of its time outside them (median)%n", products.products(), products.flops() / 1e9,
                TokenizeBenchmark.median(productRatios), 100 * TokenizeBenchmark.median(outside));
        TorchReference.run(torch, hidden, teacher, batch, seq, runs);

        printBytesShipped(block, paper, teacher, hidden);
    }

    /** Bytes one step ships for a common path when the supernet holds 1 candidate per layer and when it holds the paper's. */
    private static void printBytesShipped(SupernetBlock one, SearchSpace paper, int teacher, int hidden) {
        SupernetBlock full = new SupernetBlock(paper, teacher, 3);
        BlockPath common = BlockPath.parse(hidden + ":mha,ffn,mha,ffn,mha,ffn");
        System.out.printf("bytes shipped per step for %s (weights out + gradients back, per partition): %,d with %d candidates per "
                        + "layer, %,d with %d candidates per layer; a whole-model synchronisation would move %,d and %,d%n",
                common, 2 * 4 * pathFloats(one, common), one.space().candidatesPerLayer(), 2 * 4 * pathFloats(full, common),
                paper.candidatesPerLayer(),
                2 * 4 * one.parameterCount(), 2 * 4 * full.parameterCount());
    }

    private static float[] ones(int n) {
        float[] m = new float[n];
        java.util.Arrays.fill(m, 1f);
        return m;
    }

    private static long pathFloats(SupernetBlock block, BlockPath path) {
        long n = 0;
        for (String g : block.groupsOf(path)) {
            n += block.flatten(g, false).length;
        }
        return n;
    }

    private static double step(SupernetBlock block, BlockPath path, Tensor<Float> x, Tensor<Float> mask, Tensor<Float> y) {
        block.zeroGradients(block.groupsOf(path));
        long t0 = System.nanoTime();
        block.run(path, x, mask, y, true);
        return (System.nanoTime() - t0) / 1e9;
    }
}
