package org.nasbert.search;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Chooses one candidate per block so that the summed loss is minimal while the summed costs stay within the
 * budgets, exactly. Costs are integers (parameters; latency in nanoseconds), so sums and comparisons are exact.
 *
 * <p>Meet in the middle: every combination of the first half of the blocks and of the second half is listed
 * (100 candidates in 4 blocks: 10^4 each instead of 10^8 together); for each left combination the best right one
 * within the remaining budget is a dominance query, min loss over {@code c0 <= x, c1 <= y}, answered offline by
 * a sweep over {@code c0} and a Fenwick tree of prefix minima over the ranks of {@code c1}.
 */
public final class ConstrainedSearch {
    /** Guard on the combinations one half may list. */
    static final long MAX_HALF = 20_000_000L;

    private ConstrainedSearch() {
    }

    /**
     * @param blocks  per block, its candidates
     * @param budgets the limit per cost dimension (1 or 2 dimensions), {@link Long#MAX_VALUE} for none
     * @return the best selection, or null when no combination fits
     */
    public static Selection best(List<List<Candidate>> blocks, long[] budgets) {
        int dims = budgets.length;
        if (dims < 1 || dims > 2) {
            throw new IllegalArgumentException("1 or 2 cost dimensions, got " + dims);
        }
        for (int n = 0; n < blocks.size(); n++) {
            if (blocks.get(n).isEmpty()) {
                throw new IllegalArgumentException("block " + n + " has no candidates");
            }
            for (Candidate c : blocks.get(n)) {
                if (c.costs.length != dims) {
                    throw new IllegalArgumentException("block " + n + " candidate " + c.id + " has " + c.costs.length
                            + " costs, the budgets " + dims);
                }
            }
        }
        int split = blocks.size() / 2;
        List<Combo> left = combos(blocks.subList(0, split), 0, budgets);
        List<Combo> right = combos(blocks.subList(split, blocks.size()), split, budgets);
        Combo[] bestRight = bestWithin(left, right, budgets);
        Combo bestLeft = null;
        Combo partner = null;
        for (int i = 0; i < left.size(); i++) {
            Combo b = bestRight[i];
            if (b != null && (bestLeft == null || left.get(i).loss + b.loss < bestLeft.loss + partner.loss)) {
                bestLeft = left.get(i);
                partner = b;
            }
        }
        return bestLeft == null ? null : Selection.of(blocks, bestLeft, partner);
    }

    /** Every combination of the given blocks whose costs alone fit the budgets. */
    private static List<Combo> combos(List<List<Candidate>> blocks, int first, long[] budgets) {
        long count = 1;
        for (List<Candidate> b : blocks) {
            count *= b.size();
            if (count > MAX_HALF) {
                throw new IllegalArgumentException("too many combinations in blocks " + first + ".." + (first + blocks.size() - 1)
                        + " (over " + MAX_HALF + "); prune the candidates first");
            }
        }
        List<Combo> out = new ArrayList<>();
        out.add(new Combo(new int[0], 0, new long[budgets.length]));
        for (List<Candidate> block : blocks) {
            List<Combo> next = new ArrayList<>();
            for (Combo c : out) {
                for (int k = 0; k < block.size(); k++) {
                    Combo extended = c.plus(k, block.get(k));
                    if (extended.fits(budgets)) {
                        next.add(extended);
                    }
                }
            }
            out = next;
        }
        return out;
    }

    /** For each left combination, the right one of least loss whose costs fit what the left leaves. */
    private static Combo[] bestWithin(List<Combo> left, List<Combo> right, long[] budgets) {
        boolean two = budgets.length == 2;
        long[] ranks = right.stream().mapToLong(c -> two ? c.costs[1] : 0).sorted().distinct().toArray();
        Combo[] byCost = right.toArray(new Combo[0]);
        Arrays.sort(byCost, Comparator.comparingLong(c -> c.costs[0]));
        Integer[] queries = new Integer[left.size()];
        for (int i = 0; i < queries.length; i++) {
            queries[i] = i;
        }
        Arrays.sort(queries, Comparator.comparingLong(i -> budgets[0] - left.get(i).costs[0]));
        PrefixMin tree = new PrefixMin(ranks.length);
        Combo[] answer = new Combo[left.size()];
        int added = 0;
        for (int q : queries) {
            Combo a = left.get(q);
            long x = budgets[0] - a.costs[0];
            while (added < byCost.length && byCost[added].costs[0] <= x) {
                Combo b = byCost[added++];
                tree.add(Arrays.binarySearch(ranks, two ? b.costs[1] : 0), b);
            }
            long y = two ? budgets[1] - a.costs[1] : 0;
            answer[q] = tree.min(upperBound(ranks, y));
        }
        return answer;
    }

    /** Number of entries of the sorted array that are at most {@code value}. */
    private static int upperBound(long[] sorted, long value) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] <= value) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Fenwick tree of minimum loss over rank prefixes. */
    private static final class PrefixMin {
        private final Combo[] tree;

        PrefixMin(int size) {
            tree = new Combo[size + 1];
        }

        void add(int rank, Combo c) {
            for (int i = rank + 1; i < tree.length; i += i & -i) {
                if (tree[i] == null || c.loss < tree[i].loss) {
                    tree[i] = c;
                }
            }
        }

        /** The least-loss combination among ranks [0, count). */
        Combo min(int count) {
            Combo best = null;
            for (int i = count; i > 0; i -= i & -i) {
                if (tree[i] != null && (best == null || tree[i].loss < best.loss)) {
                    best = tree[i];
                }
            }
            return best;
        }
    }

    static final class Combo {
        final int[] choices;
        final double loss;
        final long[] costs;

        Combo(int[] choices, double loss, long[] costs) {
            this.choices = choices;
            this.loss = loss;
            this.costs = costs;
        }

        Combo plus(int choice, Candidate c) {
            int[] ch = Arrays.copyOf(choices, choices.length + 1);
            ch[choices.length] = choice;
            long[] sum = costs.clone();
            for (int d = 0; d < sum.length; d++) {
                sum[d] = Math.addExact(sum[d], c.costs[d]);
            }
            return new Combo(ch, loss + c.loss, sum);
        }

        boolean fits(long[] budgets) {
            for (int d = 0; d < budgets.length; d++) {
                if (costs[d] > budgets[d]) {
                    return false;
                }
            }
            return true;
        }
    }
}
