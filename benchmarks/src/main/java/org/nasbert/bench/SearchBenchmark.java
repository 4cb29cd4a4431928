package org.nasbert.bench;

import org.nasbert.latency.LatencyTable;
import org.nasbert.search.ArchitectureSearch;
import org.nasbert.search.Candidate;
import org.nasbert.search.Constraint;
import org.nasbert.search.ConstrainedSearch;
import org.nasbert.search.Selection;
import org.nasbert.space.BlockPath;
import org.nasbert.space.Op;
import org.nasbert.space.SearchSpace;
import org.nasbert.space.StudentSize;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The exact constrained selection on the size, 100 candidates in each of 4 blocks (10^8 combinations),
 * for 12 constraints (parameter budgets, latency budgets and both), timed on the driver; beside it brute force on
 * a smaller instance (30 per block) and the selection on that same instance, which must agree.
 */
final class SearchBenchmark {
    private SearchBenchmark() {
    }

    public static void main(String[] args) {
        int candidates = TokenizeBenchmark.intArg(args, "--candidates", 100);
        int small = TokenizeBenchmark.intArg(args, "--brute-force-candidates", 30);
        Random random = new Random(7);
        List<List<Candidate>> blocks = blocks(random, 4, candidates);
        List<long[]> constraints = new ArrayList<>();
        for (long params : new long[]{5_000_000, 10_000_000, 30_000_000, 60_000_000}) {
            constraints.add(new long[]{params, Long.MAX_VALUE});
        }
        for (long ms : new long[]{20, 40, 80, 160}) {
            constraints.add(new long[]{Long.MAX_VALUE, ms * 1_000_000});
        }
        for (long[] both : new long[][]{{10_000_000, 40_000_000L}, {30_000_000, 80_000_000L}, {60_000_000, 80_000_000L},
                {30_000_000, 160_000_000L}}) {
            constraints.add(both);
        }
        System.out.printf("search benchmark: %d blocks x %d candidates (%.0e combinations), %d constraints%n", blocks.size(),
                candidates, Math.pow(candidates, blocks.size()), constraints.size());
        for (int run = 0; run < 3; run++) {
            long t0 = System.nanoTime();
            int found = 0;
            for (long[] c : constraints) {
                found += ConstrainedSearch.best(blocks, c) != null ? 1 : 0;
            }
            System.out.printf("  run %d: %d constraints in %.3f s (%d feasible)%n", run + 1, constraints.size(),
                    (System.nanoTime() - t0) / 1e9, found);
        }
        stageSearch(candidates, TokenizeBenchmark.intArg(args, "--top", 100));
        List<List<Candidate>> smaller = blocks(new Random(8), 4, small);
        long[] budget = {30_000_000, 80_000_000L};
        long t0 = System.nanoTime();
        Selection exact = ConstrainedSearch.best(smaller, budget);
        double exactSeconds = (System.nanoTime() - t0) / 1e9;
        t0 = System.nanoTime();
        double brute = bruteForce(smaller, budget);
        double bruteSeconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("%d per block (%.0e combinations), one constraint: brute force %.3f s, exact selection %.4f s; "
                        + "losses %.6f and %.6f (%s)%n", small, Math.pow(small, 4), bruteSeconds, exactSeconds, brute, exact.loss(),
                Math.abs(brute - exact.loss()) < 1e-9 ? "equal" : "DIFFERENT");
    }

    /**
     * The search stage's own path: whole students of the paper's space (embeddings, projections and head counted),
     * 100 sampled block paths per block, a latency table proportional to FLOPs, the best and the top T per constraint.
     */
    private static void stageSearch(int candidates, int top) {
        SearchSpace space = SearchSpace.paper();
        Map<String, LatencyTable.Timing> parts = new HashMap<>();
        for (int h : space.hiddenSizes()) {
            for (Op op : space.operations()) {
                parts.put(LatencyTable.op(op, h), ms(op.flops(h, 4, 128) / 1e8));
            }
            parts.put(LatencyTable.embeddings(h), ms(0.05));
            parts.put(LatencyTable.head(h), ms(2.0 * h * h / 1e8));
            for (int to : space.hiddenSizes()) {
                parts.put(LatencyTable.projection(h, to), ms(2.0 * 128 * h * to / 1e8));
            }
        }
        LatencyTable table = new LatencyTable(new HashMap<>(), parts);
        Random random = new Random(9);
        List<List<ArchitectureSearch.Scored>> blocks = new ArrayList<>();
        for (int n = 0; n < 4; n++) {
            List<ArchitectureSearch.Scored> list = new ArrayList<>();
            for (int k = 0; k < candidates; k++) {
                BlockPath p = space.sample(random);
                list.add(new ArchitectureSearch.Scored(p, 1e6 / (1e5 + p.parameters(4)) + 0.1 * random.nextDouble()));
            }
            blocks.add(list);
        }
        ArchitectureSearch search = new ArchitectureSearch(blocks, StudentSize.BERT, table, 128);
        List<Constraint> constraints = Constraint.parseAll("params=5M;params=10M;params=30M;params=60M;latency=2ms;latency=5ms;"
                + "latency=10ms;latency=20ms;params=10M,latency=5ms;params=30M,latency=10ms;params=60M,latency=20ms;"
                + "params=30M,latency=5ms", "bench");
        for (int t : new int[]{1, top}) {
            for (int run = 0; run < 3; run++) {
                long t0 = System.nanoTime();
                int found = 0;
                for (Constraint c : constraints) {
                    found += search.top(c, t).isEmpty() ? 0 : 1;
                }
                System.out.printf("  search stage (whole students, %d widths^4 = %d width assignments), top %d: %d constraints in "
                                + "%.3f s (%d feasible)%n", space.hiddenSizes().length, (int) Math.pow(space.hiddenSizes().length, 4),
                        t, constraints.size(), (System.nanoTime() - t0) / 1e9, found);
            }
        }
    }

    private static LatencyTable.Timing ms(double value) {
        return new LatencyTable.Timing(value, value, value, 1);
    }

    /** Candidates whose loss falls as they grow, as block losses do, with noise; costs in parameters and ns. */
    private static List<List<Candidate>> blocks(Random random, int count, int candidates) {
        List<List<Candidate>> out = new ArrayList<>();
        for (int n = 0; n < count; n++) {
            List<Candidate> block = new ArrayList<>();
            for (int k = 0; k < candidates; k++) {
                double size = random.nextDouble();
                long params = (long) (500_000 + size * 20_000_000);
                long nanos = (long) (2_000_000 + (0.3 + 0.7 * random.nextDouble()) * size * 50_000_000);
                block.add(new Candidate(n + "." + k, 1.0 / (0.2 + size) + 0.1 * random.nextDouble(), params, nanos));
            }
            out.add(block);
        }
        return out;
    }

    private static double bruteForce(List<List<Candidate>> b, long[] budget) {
        double best = Double.POSITIVE_INFINITY;
        for (Candidate c0 : b.get(0)) {
            for (Candidate c1 : b.get(1)) {
                for (Candidate c2 : b.get(2)) {
                    for (Candidate c3 : b.get(3)) {
                        if (c0.cost(0) + c1.cost(0) + c2.cost(0) + c3.cost(0) <= budget[0]
                                && c0.cost(1) + c1.cost(1) + c2.cost(1) + c3.cost(1) <= budget[1]) {
                            best = Math.min(best, c0.loss() + c1.loss() + c2.loss() + c3.loss());
                        }
                    }
                }
            }
        }
        return best;
    }
}
