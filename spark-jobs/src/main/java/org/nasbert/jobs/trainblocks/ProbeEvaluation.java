package org.nasbert.jobs.trainblocks;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.nasbert.space.BlockPath;
import org.nasbert.spark.OrderedReduce;
import org.nasbert.space.SearchSpace;
import org.nasbert.supernet.SupernetBlock;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Sampled probe paths scored on the held-out states before and after training, beside the loss of copying the block's
 * input: the supernet manifest's evidence that block training learned something.
 */
final class ProbeEvaluation {
    private ProbeEvaluation() {
    }

    /** {@code count} paths per block sampled from the space, the same for every run of one seed. */
    static BlockPath[][] probes(SearchSpace space, int blocks, int count, long seed) {
        BlockPath[][] probes = new BlockPath[blocks][count];
        Random random = new Random(seed ^ 0x5DEECE66DL);
        for (int n = 0; n < blocks; n++) {
            for (int p = 0; p < count; p++) {
                probes[n][p] = space.sample(random);
            }
        }
        return probes;
    }

    /** Held-out block losses of the probe paths, plus copy-the-input, per block: [block][path..., copy]. */
    static double[][] evaluate(JavaSparkContext jsc, SupernetPlan plan, SupernetBlock[] master, JavaRDD<TrainingRow> heldOut,
                               BlockPath[][] paths) {
        List<Map<String, float[]>> weights = new ArrayList<>();
        for (int n = 0; n < plan.blocks; n++) {
            Map<String, float[]> groups = new LinkedHashMap<>();
            SupernetBlock block = master[n];
            for (BlockPath p : paths[n]) {
                for (String g : block.groupsOf(p)) {
                    groups.computeIfAbsent(g, k -> block.flatten(k, false));
                }
            }
            weights.add(groups);
        }
        Broadcast<List<Map<String, float[]>>> shared = jsc.broadcast(weights);
        double[][] sums = OrderedReduce.reduce(heldOut.mapPartitionsWithIndex(new PathLosses(plan, shared, paths, 16), true),
                PathLosses::add);
        shared.destroy();
        double[][] means = new double[plan.blocks][];
        for (int n = 0; n < plan.blocks; n++) {
            double elements = sums[n][sums[n].length - 1];
            means[n] = new double[sums[n].length - 1];
            for (int i = 0; i < means[n].length; i++) {
                means[n][i] = sums[n][i] / Math.max(1, elements);
            }
        }
        return means;
    }

    /** Per block: each probe's loss before (null: resumed) and after training, their means, and how many beat copying the input. */
    static List<SupernetManifest.BlockEvaluation> evaluation(BlockPath[][] probes, double[][] before, double[][] after) {
        List<SupernetManifest.BlockEvaluation> blocks = new ArrayList<>();
        for (int n = 0; n < probes.length; n++) {
            SupernetManifest.BlockEvaluation b = new SupernetManifest.BlockEvaluation();
            int paths = probes[n].length;
            double copy = after[n][paths];
            b.copyInputLoss = copy;
            double sumBefore = 0;
            double sumAfter = 0;
            int beatCopy = 0;
            for (int p = 0; p < paths; p++) {
                SupernetManifest.PathLoss e = new SupernetManifest.PathLoss();
                e.path = probes[n][p].toString();
                if (before != null) {
                    e.lossAtInit = before[n][p];
                    sumBefore += before[n][p];
                }
                e.loss = after[n][p];
                sumAfter += after[n][p];
                beatCopy += after[n][p] < copy ? 1 : 0;
                b.paths.add(e);
            }
            if (before != null) {
                b.meanLossAtInit = sumBefore / paths;
            }
            b.meanLoss = sumAfter / paths;
            b.pathsBeatingCopyInput = beatCopy;
            b.pathsEvaluated = paths;
            blocks.add(b);
        }
        return blocks;
    }
}
