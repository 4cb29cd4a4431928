package org.nasbert.supernet;

import com.intel.analytics.bigdl.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.nasbert.engine.BigDl;
import org.nasbert.nn.Parameterized;
import org.nasbert.nn.Tensors;
import org.nasbert.space.BlockPath;
import org.nasbert.space.SearchSpace;

import org.nasbert.testing.RandomTensors;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A supernet block trained path by path: weight sharing, path sparsity, and that training works at all. */
class SupernetBlockTest {
    private static final SearchSpace SMALL = new SearchSpace(new int[]{32, 64}, new int[]{3, 5}, 3, 4);
    private static final int TEACHER = 48;

    @Test
    void holdsEveryCandidateOnceAndCountsMatchTheSpace() {
        SupernetBlock block = new SupernetBlock(SMALL, TEACHER, 1);
        // per hidden size: in and out projections, 3 layers x 4 ops
        assertEquals(2 * (2 + 3 * 4), block.groupNames().size());
        long expected = 0;
        for (int h : SMALL.hiddenSizes()) {
            expected += (long) TEACHER * h + h + (long) h * TEACHER + TEACHER;
            for (int l = 0; l < 3; l++) {
                for (org.nasbert.space.Op op : SMALL.operations()) {
                    expected += op.parameters(h, 4);
                }
            }
        }
        assertEquals(expected, block.parameterCount());
        assertEquals(block.parameterCount(), SupernetBlock.parameterCount(SMALL, TEACHER), "counted without building the block");
        BlockPath path = BlockPath.parse("64:sep5,mha,id");
        assertEquals(List.of("h64.in", "h64.l0.sep5", "h64.l1.mha", "h64.out"), block.groupsOf(path));
    }

    @Test
    void aStepThroughOnePathLeavesEveryOtherCandidateBitIdentical() {
        SupernetBlock block = new SupernetBlock(SMALL, TEACHER, 2);
        GroupOptimizer adam = new GroupOptimizer(0.9, 0.999, 1e-6);
        Map<String, List<float[]>> before = snapshot(block);
        BlockPath path = BlockPath.parse("64:ffn,sep3,mha");
        List<String> active = block.groupsOf(path);
        Batch batch = batch(new Random(3), 4, 10);
        block.zeroGradients(active);
        block.run(path, batch.input, batch.mask, batch.target, true);
        for (String g : active) {
            Parameterized<?> m = block.group(g);
            adam.step(g, weights(m), gradients(m), 1e-3);
        }
        Map<String, List<float[]>> after = snapshot(block);
        for (String g : block.groupNames()) {
            boolean changed = false;
            for (int i = 0; i < before.get(g).size(); i++) {
                changed |= !java.util.Arrays.equals(before.get(g).get(i), after.get(g).get(i));
            }
            if (active.contains(g)) {
                assertTrue(changed, g + " is on the path and was updated");
            } else {
                assertFalse(changed, g + " is not on the path and must be bit-identical");
                for (int i = 0; i < before.get(g).size(); i++) {
                    assertArrayEquals(before.get(g).get(i), after.get(g).get(i), 0f, g);
                }
            }
        }
        assertEquals(countTensors(block, active), adam.stateCount(), "optimiser state only for the path's tensors");
    }

    @Test
    void recycledActivationsFromOtherPathsDoNotChangeAPathsLossOrGradients() {
        // 2 x 64 tokens at hidden 64: attention probabilities and activations have the same length, so a
        // wrongly shared array would be handed from one to the other
        Batch batch = batch(new Random(8), 2, 64);
        BlockPath path = BlockPath.parse("64:mha,sep5,ffn");
        SupernetBlock fresh = new SupernetBlock(SMALL, TEACHER, 9);
        List<String> active = fresh.groupsOf(path);
        fresh.zeroGradients(active);
        double expected = fresh.run(path, batch.input, batch.mask, batch.target, true);

        SupernetBlock reused = new SupernetBlock(SMALL, TEACHER, 9);
        for (String other : List.of("64:ffn,mha,sep3", "32:sep5,ffn,id", "64:mha,sep5,ffn")) {
            BlockPath p = BlockPath.parse(other);
            reused.zeroGradients(reused.groupsOf(p));
            reused.run(p, batch.input, batch.mask, batch.target, true);
        }
        reused.zeroGradients(active);
        double loss = reused.run(path, batch.input, batch.mask, batch.target, true);
        assertEquals(expected, loss, 1e-6 * expected);
        for (String g : active) {
            float[] want = fresh.flatten(g, true);
            float[] got = reused.flatten(g, true);
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], got[i], 1e-4f * Math.abs(want[i]) + 1e-7f, g + "[" + i + "]");
            }
        }
    }

    @Test
    void chainsThatShareBlocksScoreAsIfEachRanAlone() {
        Random random = new Random(21);
        int[] lengths = {6, 11, 4};
        float[][][] states = new float[4][lengths.length][];
        for (float[][] boundary : states) {
            for (int b = 0; b < lengths.length; b++) {
                boundary[b] = new float[lengths[b] * TEACHER];
                for (int i = 0; i < boundary[b].length; i++) {
                    boundary[b][i] = (float) random.nextGaussian();
                }
            }
        }
        SupernetBlock[] blocks = {new SupernetBlock(SMALL, TEACHER, 31), new SupernetBlock(SMALL, TEACHER, 32),
                new SupernetBlock(SMALL, TEACHER, 33)};
        StateBatch batch = new StateBatch(lengths, states, TEACHER);
        List<BlockPath> few = SMALL.enumerate().subList(0, 40);
        List<BlockChain> chains = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            // few distinct first blocks, so sorted neighbours share prefixes
            chains.add(new BlockChain(0, List.of(few.get(random.nextInt(3)), few.get(random.nextInt(4)), few.get(random.nextInt(40)))));
        }
        for (int n = 0; n < 3; n++) {
            chains.add(BlockChain.of(n, few.get(random.nextInt(40))));
        }
        chains.sort(java.util.Comparator.comparing(BlockChain::sortKey));
        double[] shared = batch.chainedLosses(blocks, chains);
        for (int i = 0; i < chains.size(); i++) {
            BlockChain c = chains.get(i);
            double alone = c.paths.size() == 1 ? batch.run(blocks[c.first], c.first, c.paths.get(0), false)
                    : batch.chainedLoss(blocks, c);
            assertEquals(alone, shared[i], 1e-6 * alone, c.sortKey());
        }
    }

    @Test
    void microBatchesWeightedByTheirTokensGiveTheWholeBatchsLossAndGradients() {
        Random random = new Random(12);
        int[] lengths = {9, 3, 12, 5, 7};
        float[][][] states = new float[2][lengths.length][];
        for (float[][] boundary : states) {
            for (int b = 0; b < lengths.length; b++) {
                boundary[b] = new float[lengths[b] * TEACHER];
                for (int i = 0; i < boundary[b].length; i++) {
                    boundary[b][i] = (float) random.nextGaussian();
                }
            }
        }
        BlockPath path = BlockPath.parse("64:mha,sep3,ffn");
        SupernetBlock whole = new SupernetBlock(SMALL, TEACHER, 13);
        whole.zeroGradients(whole.groupsOf(path));
        double expected = new StateBatch(lengths, states, TEACHER).run(whole, 0, path, 1.0);

        SupernetBlock split = new SupernetBlock(SMALL, TEACHER, 13);
        split.zeroGradients(split.groupsOf(path));
        StateBatch first = new StateBatch(java.util.Arrays.copyOfRange(lengths, 0, 2), part(states, 0, 2), TEACHER);
        StateBatch second = new StateBatch(java.util.Arrays.copyOfRange(lengths, 2, 5), part(states, 2, 5), TEACHER);
        assertEquals(36, first.tokens() + second.tokens());
        double loss = 0;
        for (StateBatch chunk : List.of(first, second)) {
            double share = chunk.tokens() / 36.0;
            loss += share * chunk.run(split, 0, path, share);
        }
        assertEquals(expected, loss, 1e-6 * expected);
        for (String g : whole.groupsOf(path)) {
            float[] want = whole.flatten(g, true);
            float[] got = split.flatten(g, true);
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], got[i], 1e-4f * Math.abs(want[i]) + 1e-7f, g + "[" + i + "]");
            }
        }
    }

    private static float[][][] part(float[][][] states, int from, int to) {
        float[][][] out = new float[states.length][][];
        for (int n = 0; n < states.length; n++) {
            out[n] = java.util.Arrays.copyOfRange(states[n], from, to);
        }
        return out;
    }

    @Test
    void trainingSampledPathsLowersHeldOutLossForPathsItNeverSawAlone() {
        SupernetBlock block = new SupernetBlock(SMALL, TEACHER, 4);
        GroupOptimizer adam = new GroupOptimizer(0.9, 0.999, 1e-6);
        Random random = new Random(5);
        float[][] map = randomMap(new Random(6));
        Batch heldOut = teacherBatch(new Random(7), map, 8, 12);
        List<BlockPath> probes = List.of(BlockPath.parse("64:mha,ffn,sep3"), BlockPath.parse("32:ffn,id,id"),
                BlockPath.parse("64:sep5,sep5,ffn"));
        double[] initial = new double[probes.size()];
        for (int i = 0; i < probes.size(); i++) {
            initial[i] = block.run(probes.get(i), heldOut.input, heldOut.mask, heldOut.target, false);
        }
        int steps = 300;
        for (int step = 0; step < steps; step++) {
            BlockPath path = SMALL.sample(random);
            Batch batch = teacherBatch(random, map, 8, 12);
            List<String> active = block.groupsOf(path);
            block.zeroGradients(active);
            block.run(path, batch.input, batch.mask, batch.target, true);
            double lr = GroupOptimizer.learningRate(3e-3, step, 30, steps);
            for (String g : active) {
                adam.step(g, weights(block.group(g)), gradients(block.group(g)), lr);
            }
        }
        for (int i = 0; i < probes.size(); i++) {
            double loss = block.run(probes.get(i), heldOut.input, heldOut.mask, heldOut.target, false);
            assertTrue(loss < 0.5 * initial[i], probes.get(i) + ": held-out loss " + initial[i] + " -> " + loss);
        }
    }

    @Test
    void theScheduleWarmsUpThenDecaysLinearly() {
        assertEquals(0.1, GroupOptimizer.learningRate(1.0, 0, 10, 100), 1e-12);
        assertEquals(1.0, GroupOptimizer.learningRate(1.0, 9, 10, 100), 1e-12);
        assertEquals(0.5, GroupOptimizer.learningRate(1.0, 55, 10, 100), 1e-12);
        assertEquals(0.0, GroupOptimizer.learningRate(1.0, 100, 10, 100), 1e-12);
    }

    private static final class Batch {
        Tensor<Float> input;
        Tensor<Float> mask;
        Tensor<Float> target;
    }

    private static Batch batch(Random random, int batch, int seq) {
        Batch b = new Batch();
        b.input = RandomTensors.normal(random, batch, seq, TEACHER);
        b.target = RandomTensors.normal(random, batch, seq, TEACHER);
        float[] mask = new float[batch * seq];
        for (int i = 0; i < mask.length; i++) {
            mask[i] = i % seq < seq - (i / seq) ? 1 : 0;
        }
        b.mask = BigDl.tensor(mask, batch, seq);
        return b;
    }

    /** A made-up teacher block: tanh of a fixed linear map of the input plus a neighbour-mixing term. */
    private static Batch teacherBatch(Random random, float[][] map, int batch, int seq) {
        Batch b = batch(random, batch, seq);
        float[] x = Tensors.data(b.input);
        float[] y = new float[x.length];
        for (int r = 0; r < batch * seq; r++) {
            int neighbour = r % seq == 0 ? r : r - 1;
            for (int o = 0; o < TEACHER; o++) {
                double s = 0;
                for (int i = 0; i < TEACHER; i++) {
                    s += map[o][i] * (x[r * TEACHER + i] + 0.5 * x[neighbour * TEACHER + i]);
                }
                y[r * TEACHER + o] = (float) Math.tanh(s);
            }
        }
        b.target = BigDl.tensor(y, batch, seq, TEACHER);
        return b;
    }

    private static float[][] randomMap(Random random) {
        float[][] m = new float[TEACHER][TEACHER];
        for (float[] row : m) {
            for (int i = 0; i < row.length; i++) {
                row[i] = (float) (random.nextGaussian() / Math.sqrt(TEACHER));
            }
        }
        return m;
    }

    static List<Tensor<Float>> weights(Parameterized<?> m) {
        return java.util.Arrays.asList(m.parameters()._1());
    }

    static List<Tensor<Float>> gradients(Parameterized<?> m) {
        return java.util.Arrays.asList(m.parameters()._2());
    }

    private static Map<String, List<float[]>> snapshot(SupernetBlock block) {
        Map<String, List<float[]>> s = new HashMap<>();
        for (String g : block.groupNames()) {
            List<float[]> copies = new ArrayList<>();
            for (Tensor<Float> w : weights(block.group(g))) {
                Tensor<Float> d = Tensors.dense(w);
                float[] c = new float[d.nElement()];
                System.arraycopy(Tensors.data(d), Tensors.offset(d), c, 0, c.length);
                copies.add(c);
            }
            s.put(g, copies);
        }
        return s;
    }

    private static int countTensors(SupernetBlock block, List<String> groups) {
        int n = 0;
        for (String g : groups) {
            n += weights(block.group(g)).size();
        }
        return n;
    }
}
