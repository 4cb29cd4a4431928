package org.nasbert.prune;

import org.junit.jupiter.api.Test;
import org.nasbert.latency.LatencyTable;
import org.nasbert.space.BlockPath;
import org.nasbert.space.Op;
import org.nasbert.space.SearchSpace;

import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Shrinking over a real space: rounds as predicted, bins down to keep, the worse half gone, a replay equal to the run. */
class ShrinkingTest {
    private static final SearchSpace SPACE = new SearchSpace(new int[]{64, 128}, new int[]{3, 5}, 3, 4);

    /** Latency roughly in proportion to parameters, so most paths agree on their bin. */
    private static LatencyTable table() {
        Map<String, LatencyTable.Timing> parts = new HashMap<>();
        for (int h : SPACE.hiddenSizes()) {
            for (Op op : SPACE.operations()) {
                double ms = op.parameters(h, 4) / 100_000.0;
                parts.put(LatencyTable.op(op, h), new LatencyTable.Timing(ms, ms, ms, 1));
            }
        }
        return new LatencyTable(Collections.emptyMap(), parts);
    }

    @Test
    void aTableThatOrdersPathsAgainstTheirSizesIsRefusedWithTheSettingToChange() {
        SearchSpace oneLayer = new SearchSpace(new int[]{64}, new int[]{3}, 1, 4); // paths: mha, ffn, sep3
        long largest = 0;
        for (Op op : oneLayer.operations()) {
            largest = Math.max(largest, op.parameters(64, 4));
        }
        Map<String, LatencyTable.Timing> parts = new HashMap<>();
        for (Op op : oneLayer.operations()) {
            boolean big = op.parameters(64, 4) * 2 > largest; // its parameter bin of two
            double ms = big ? 1 : 10; // its latency in the other bin
            parts.put(LatencyTable.op(op, 64), new LatencyTable.Timing(ms, ms, ms, 1));
        }
        LatencyTable inverted = new LatencyTable(Collections.emptyMap(), parts);
        org.nasbert.NasbertException e = org.junit.jupiter.api.Assertions.assertThrows(org.nasbert.NasbertException.class,
                () -> Shrinking.start(oneLayer, 2, inverted, 2));
        assertTrue(e.getMessage().contains("prune.bins") && e.getMessage().contains("latency table"), e.getMessage());
    }

    @Test
    void roundsShrinkEveryBinToKeepDroppingTheWorseHalfOfEachSample() {
        Shrinking s = Shrinking.start(SPACE, 2, table(), 4);
        int fit = s.survivors(0).size();
        assertEquals(SPACE.pathsPerBlock(), s.pathsPerBlock());
        assertEquals(s.pathsPerBlock(), fit + s.deletedOutsideBins());
        assertTrue(fit > s.pathsPerBlock() / 2, "with latency following parameters most paths fit: " + fit);
        int planned = s.roundsLeft(30, 3);
        Shrinking replayed = Shrinking.start(SPACE, 2, table(), 4);
        Random random = new Random(5);
        int rounds = 0;
        while (s.roundsLeft(30, 3) > 0) {
            rounds++;
            List<List<List<SizeBins.Sized<BlockPath>>>> sampled = s.sampleRound(rounds, 30, 3, 42);
            double[][][] scores = new double[2][4][];
            for (int n = 0; n < 2; n++) {
                for (int b = 0; b < 4; b++) {
                    scores[n][b] = random.doubles(sampled.get(n).get(b).size()).toArray();
                }
            }
            Set<BlockPath> before0 = new HashSet<>(s.survivors(0));
            int[] sizes = new int[4];
            for (int b = 0; b < 4; b++) {
                sizes[b] = s.bin(0, b).size();
            }
            s.prune(sampled, scores, 3);
            Set<BlockPath> dropped = new HashSet<>(before0);
            dropped.removeAll(s.survivors(0));
            for (int b = 0; b < 4; b++) {
                List<SizeBins.Sized<BlockPath>> sample = sampled.get(0).get(b);
                double worstKept = Double.NEGATIVE_INFINITY;
                double bestDropped = Double.POSITIVE_INFINITY;
                for (int i = 0; i < sample.size(); i++) {
                    if (dropped.contains(sample.get(i).path)) {
                        bestDropped = Math.min(bestDropped, scores[0][b][i]);
                    } else {
                        worstKept = Math.max(worstKept, scores[0][b][i]);
                    }
                }
                assertTrue(worstKept <= bestDropped, "round " + rounds + " bin " + b + ": a kept path scored worse than a dropped one");
                int expectedDrop = sizes[b] <= 3 ? 0 : Math.min(Math.min(30, sizes[b]) / 2, sizes[b] - 3);
                assertEquals(sizes[b] - expectedDrop, s.bin(0, b).size(), "round " + rounds + " bin " + b);
            }
            replayed.remove(0, dropped);
            Set<BlockPath> dropped1 = new HashSet<>(replayed.survivors(1));
            dropped1.removeAll(s.survivors(1));
            replayed.remove(1, dropped1);
            assertEquals(s.survivors(0), replayed.survivors(0), "a replay of the dropped paths reaches the same state");
        }
        assertEquals(planned, rounds, "rounds as planned before training");
        for (int n = 0; n < 2; n++) {
            for (int b = 0; b < 4; b++) {
                assertTrue(s.bin(n, b).size() <= 3, "bin " + b + " holds " + s.bin(n, b).size());
            }
        }
    }

    @Test
    void trainingDrawsEverySurvivorAndNothingElse() {
        Shrinking s = Shrinking.start(SPACE, 1, table(), 4);
        Set<BlockPath> drawn = new HashSet<>();
        Random random = new Random(1);
        for (int i = 0; i < 200 * s.survivors(0).size(); i++) {
            drawn.add(s.sample(0, random));
        }
        assertEquals(new HashSet<>(s.survivors(0)), drawn);
    }
}
