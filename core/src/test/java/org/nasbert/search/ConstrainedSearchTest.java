package org.nasbert.search;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The exact selection against brute force: same optimum, never over a budget, null exactly when nothing fits. */
class ConstrainedSearchTest {

    @Test
    void equalsBruteForceOnManySmallRandomInstances() {
        Random random = new Random(11);
        int feasible = 0;
        for (int instance = 0; instance < 3000; instance++) {
            int dims = 1 + random.nextInt(2);
            List<List<Candidate>> blocks = randomBlocks(random, 1 + random.nextInt(5), 1 + random.nextInt(6), dims);
            long[] budgets = new long[dims];
            for (int d = 0; d < dims; d++) {
                budgets[d] = random.nextInt(8) == 0 ? Long.MAX_VALUE : random.nextInt(60 * blocks.size());
            }
            double expected = bruteForce(blocks, budgets);
            Selection got = ConstrainedSearch.best(blocks, budgets);
            String where = "instance " + instance + " budgets " + Arrays.toString(budgets);
            if (Double.isInfinite(expected)) {
                assertNull(got, where + ": nothing fits, so nothing may be returned");
                continue;
            }
            feasible++;
            assertNotNull(got, where + ": brute force found " + expected);
            assertEquals(expected, got.loss(), 1e-12, where);
            assertEquals(blocks.size(), got.chosen().size());
            for (int d = 0; d < dims; d++) {
                assertTrue(got.cost(d) <= budgets[d], where + ": cost " + got.cost(d) + " over budget");
            }
            for (int n = 0; n < blocks.size(); n++) {
                assertTrue(blocks.get(n).contains(got.chosen().get(n)), "candidate " + n + " comes from block " + n);
            }
        }
        assertTrue(feasible > 1000 && feasible < 2900, "the instances mix feasible and infeasible: " + feasible);
    }

    @Test
    void aLooserBudgetNeverGivesAWorseLoss() {
        List<List<Candidate>> blocks = randomBlocks(new Random(5), 4, 30, 1);
        double previous = Double.POSITIVE_INFINITY;
        for (long budget = 0; budget <= 400; budget += 10) {
            Selection s = ConstrainedSearch.best(blocks, new long[]{budget});
            double loss = s == null ? Double.POSITIVE_INFINITY : s.loss();
            assertTrue(loss <= previous, "budget " + budget + ": " + loss + " after " + previous);
            previous = loss;
        }
    }

    @Test
    void malformedInputIsRefusedWithTheBlockNamed() {
        List<List<Candidate>> blocks = new ArrayList<>();
        blocks.add(List.of(new Candidate("a", 1, 5)));
        blocks.add(new ArrayList<>());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConstrainedSearch.best(blocks, new long[]{10}));
        assertTrue(e.getMessage().contains("block 1"), e.getMessage());
        blocks.set(1, List.of(new Candidate("b", 1, 5, 7)));
        e = assertThrows(IllegalArgumentException.class, () -> ConstrainedSearch.best(blocks, new long[]{10}));
        assertTrue(e.getMessage().contains("candidate b"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Candidate("c", 0.5, -1));
        assertThrows(IllegalArgumentException.class, () -> new Candidate("d", Double.NaN, 1));
    }

    private static List<List<Candidate>> randomBlocks(Random random, int blocks, int candidates, int dims) {
        List<List<Candidate>> out = new ArrayList<>();
        for (int n = 0; n < blocks; n++) {
            List<Candidate> block = new ArrayList<>();
            int count = 1 + random.nextInt(candidates);
            for (int k = 0; k < count; k++) {
                long[] costs = new long[dims];
                for (int d = 0; d < dims; d++) {
                    costs[d] = random.nextInt(100);
                }
                // losses on a coarse grid so that ties happen
                block.add(new Candidate(n + "." + k, random.nextInt(20) / 4.0, costs));
            }
            out.add(block);
        }
        return out;
    }

    /** Every combination, summed in block order as Selection does. */
    private static double bruteForce(List<List<Candidate>> blocks, long[] budgets) {
        int[] index = new int[blocks.size()];
        double best = Double.POSITIVE_INFINITY;
        while (true) {
            double loss = 0;
            long[] costs = new long[budgets.length];
            for (int n = 0; n < blocks.size(); n++) {
                Candidate c = blocks.get(n).get(index[n]);
                loss += c.loss();
                for (int d = 0; d < costs.length; d++) {
                    costs[d] += c.cost(d);
                }
            }
            boolean fits = true;
            for (int d = 0; d < costs.length; d++) {
                fits &= costs[d] <= budgets[d];
            }
            if (fits) {
                best = Math.min(best, loss);
            }
            int n = 0;
            while (n < index.length && ++index[n] == blocks.get(n).size()) {
                index[n++] = 0;
            }
            if (n == index.length) {
                return best;
            }
        }
    }
}
