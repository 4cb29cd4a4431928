package org.nasbert.search;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The T best selections (least summed loss, within budgets) over one or more independent problems, exactly:
 * Lawler–Murty partitioning with {@link ConstrainedSearch} as the oracle. After a problem's best selection
 * (s_1..s_N) is taken, the rest of it splits into N disjoint problems: block k without s_k and blocks before k
 * fixed to s_1..s_{k-1}. A queue of problems by their best selection yields selections in order of loss. Problems
 * enter the queue unsolved, keyed by a lower bound (the sum of each block's least loss; for a split-off problem
 * its parent's loss), and are solved only when they reach the front: most of them never need to be.
 */
public final class TopSelections {
    private TopSelections() {
    }

    /** Candidate lists per block and budgets, plus what the caller needs to know the problem by. */
    public static final class Problem<T> {
        final List<List<Candidate>> blocks;
        final long[] budgets;
        final T tag;

        public Problem(List<List<Candidate>> blocks, long[] budgets, T tag) {
            this.blocks = blocks;
            this.budgets = budgets.clone();
            this.tag = tag;
        }
    }

    /** A selection and the problem it solves. */
    public static final class Ranked<T> {
        public final Selection selection;
        public final T tag;

        Ranked(Selection selection, T tag) {
            this.selection = selection;
            this.tag = tag;
        }
    }

    private static final class Entry<T> {
        final Problem<T> problem;
        /** Null until solved; then the key is its loss. */
        final Selection best;
        final double key;

        Entry(Problem<T> problem, Selection best, double key) {
            this.problem = problem;
            this.best = best;
            this.key = key;
        }
    }

    /** Up to {@code count} selections of least loss over all problems, best first; fewer when fewer fit. */
    public static <T> List<Ranked<T>> best(List<Problem<T>> problems, int count) {
        // at equal keys a solved entry first: it is final, an unsolved one can only get worse
        PriorityQueue<Entry<T>> queue = new PriorityQueue<>(Comparator.comparingDouble((Entry<T> e) -> e.key)
                .thenComparing(e -> e.best == null));
        for (Problem<T> p : problems) {
            if (mayFit(p)) {
                queue.add(new Entry<>(p, null, leastLoss(p)));
            }
        }
        List<Ranked<T>> out = new ArrayList<>();
        while (out.size() < count && !queue.isEmpty()) {
            Entry<T> e = queue.poll();
            if (e.best == null) {
                Selection s = ConstrainedSearch.best(e.problem.blocks, e.problem.budgets);
                if (s != null) {
                    queue.add(new Entry<>(e.problem, s, s.loss()));
                }
                continue;
            }
            out.add(new Ranked<>(e.best, e.problem.tag));
            List<Candidate> chosen = e.best.chosen();
            for (int k = 0; k < chosen.size(); k++) {
                List<List<Candidate>> blocks = new ArrayList<>();
                for (int n = 0; n < chosen.size(); n++) {
                    if (n < k) {
                        blocks.add(Collections.singletonList(chosen.get(n)));
                    } else if (n == k) {
                        List<Candidate> rest = new ArrayList<>(e.problem.blocks.get(n));
                        rest.remove(chosen.get(n));
                        blocks.add(rest);
                    } else {
                        blocks.add(e.problem.blocks.get(n));
                    }
                }
                Problem<T> part = new Problem<>(blocks, e.problem.budgets, e.problem.tag);
                if (!blocks.get(k).isEmpty() && mayFit(part)) {
                    queue.add(new Entry<>(part, null, e.best.loss()));
                }
            }
        }
        return out;
    }

    /** False when even the cheapest candidates of every block exceed a budget. */
    private static <T> boolean mayFit(Problem<T> p) {
        for (int d = 0; d < p.budgets.length; d++) {
            long least = 0;
            for (List<Candidate> block : p.blocks) {
                long min = Long.MAX_VALUE;
                for (Candidate c : block) {
                    min = Math.min(min, c.costs[d]);
                }
                least += min;
                if (least > p.budgets[d]) {
                    return false;
                }
            }
        }
        return true;
    }

    private static <T> double leastLoss(Problem<T> p) {
        double sum = 0;
        for (List<Candidate> block : p.blocks) {
            double min = Double.POSITIVE_INFINITY;
            for (Candidate c : block) {
                min = Math.min(min, c.loss);
            }
            sum += min;
        }
        return sum;
    }
}
