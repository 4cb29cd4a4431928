package org.nasbert.search;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The T best selections against brute force: the same losses in order, each within budget, no combination twice. */
class TopSelectionsTest {

    @Test
    void theTopTEqualBruteForceOnManySmallRandomInstances() {
        Random random = new Random(23);
        for (int instance = 0; instance < 1500; instance++) {
            int problems = 1 + random.nextInt(3);
            List<TopSelections.Problem<Integer>> list = new ArrayList<>();
            List<Double> all = new ArrayList<>();
            int blocks = 1 + random.nextInt(4);
            for (int p = 0; p < problems; p++) {
                List<List<Candidate>> lists = randomBlocks(random, blocks, 1 + random.nextInt(5));
                long[] budgets = {random.nextInt(8) == 0 ? Long.MAX_VALUE : random.nextInt(50 * blocks),
                        random.nextInt(8) == 0 ? Long.MAX_VALUE : random.nextInt(50 * blocks)};
                list.add(new TopSelections.Problem<>(lists, budgets, p));
                all.addAll(feasibleLosses(lists, budgets));
            }
            all.sort(Double::compare);
            int count = 1 + random.nextInt(12);
            List<TopSelections.Ranked<Integer>> got = TopSelections.best(list, count);
            String where = "instance " + instance;
            assertEquals(Math.min(count, all.size()), got.size(), where);
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < got.size(); i++) {
                Selection s = got.get(i).selection;
                assertEquals(all.get(i), s.loss(), 1e-12, where + " rank " + i);
                TopSelections.Problem<Integer> from = list.get(got.get(i).tag);
                for (int d = 0; d < 2; d++) {
                    assertTrue(s.cost(d) <= from.budgets[d], where + ": over budget");
                }
                StringBuilder key = new StringBuilder().append(got.get(i).tag);
                for (int n = 0; n < blocks; n++) {
                    assertTrue(from.blocks.get(n).contains(s.chosen().get(n)), where + ": candidate from another block");
                    key.append('/').append(System.identityHashCode(s.chosen().get(n)));
                }
                assertTrue(seen.add(key.toString()), where + ": a combination came twice");
            }
        }
    }

    private static List<List<Candidate>> randomBlocks(Random random, int blocks, int candidates) {
        List<List<Candidate>> out = new ArrayList<>();
        for (int n = 0; n < blocks; n++) {
            List<Candidate> list = new ArrayList<>();
            for (int i = 0; i < candidates; i++) {
                // coarse losses and costs: ties in both happen often
                list.add(new Candidate(n + "." + i, random.nextInt(10) / 4.0, random.nextInt(60), random.nextInt(60)));
            }
            out.add(list);
        }
        return out;
    }

    private static List<Double> feasibleLosses(List<List<Candidate>> blocks, long[] budgets) {
        List<Double> out = new ArrayList<>();
        int[] choice = new int[blocks.size()];
        while (true) {
            double loss = 0;
            long[] costs = new long[2];
            for (int n = 0; n < choice.length; n++) {
                Candidate c = blocks.get(n).get(choice[n]);
                loss += c.loss;
                costs[0] += c.costs[0];
                costs[1] += c.costs[1];
            }
            if (costs[0] <= budgets[0] && costs[1] <= budgets[1]) {
                out.add(loss);
            }
            int n = choice.length - 1;
            while (n >= 0 && ++choice[n] == blocks.get(n).size()) {
                choice[n--] = 0;
            }
            if (n < 0) {
                return out;
            }
        }
    }

    @Test
    void aProblemWhoseBudgetIsAlreadySpentYieldsNothing() {
        List<List<Candidate>> lists = List.of(List.of(new Candidate("a", 1, 0, 0)));
        assertEquals(0, TopSelections.best(List.of(new TopSelections.Problem<>(lists, new long[]{-1, 5}, 0)), 3).size());
        assertEquals(1, TopSelections.best(List.of(new TopSelections.Problem<>(lists, new long[]{0, 0}, 0)), 3).size(),
                Arrays.toString(new long[]{0, 0}) + " fits a free candidate");
    }
}
