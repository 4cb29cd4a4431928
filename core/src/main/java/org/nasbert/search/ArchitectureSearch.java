package org.nasbert.search;

import org.nasbert.latency.LatencyTable;
import org.nasbert.space.Architecture;
import org.nasbert.space.BlockPath;
import org.nasbert.space.StudentSize;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Performance approximation and selection (NAS-BERT §3.3): a student's predicted loss is the sum of its blocks'
 * losses, its parameters and latency those of its blocks plus the fixed parts (embeddings of the size's embedding
 * size, projections, head), which depend only on the blocks' hidden sizes. So the search runs once per assignment of hidden sizes to
 * blocks, over the candidates of those sizes with the budgets less the fixed parts, and {@link TopSelections}
 * merges the runs: the result is exactly the T students of least predicted loss within the constraint.
 * Latency is summed in integer nanoseconds (each part rounded to the nanosecond).
 */
public final class ArchitectureSearch {
    private final List<List<Scored>> blocks;
    /** Per block, per hidden size: the candidates with their costs, computed once. */
    private final List<Map<Integer, List<Candidate>>> byWidth = new ArrayList<>();
    private final Map<Candidate, BlockPath> paths = new IdentityHashMap<>();
    private final StudentSize size;
    private final LatencyTable table;
    private final int sequenceLength;

    /** A block's surviving candidate with its held-out block loss. */
    public static final class Scored {
        public final BlockPath path;
        public final double loss;

        public Scored(BlockPath path, double loss) {
            this.path = path;
            this.loss = loss;
        }
    }

    /** A whole student the search proposes. */
    public static final class Proposal {
        public final Architecture architecture;
        public final double predictedLoss;
        public final long parameters;
        public final long flops;
        public final double latencyMs;

        Proposal(Architecture architecture, double predictedLoss, long parameters, long flops, double latencyMs) {
            this.architecture = architecture;
            this.predictedLoss = predictedLoss;
            this.parameters = parameters;
            this.flops = flops;
            this.latencyMs = latencyMs;
        }
    }

    public ArchitectureSearch(List<List<Scored>> blocks, StudentSize size, LatencyTable table, int sequenceLength) {
        for (int n = 0; n < blocks.size(); n++) {
            if (blocks.get(n).isEmpty()) {
                throw new IllegalArgumentException("block " + n + " has no candidates");
            }
        }
        this.blocks = blocks;
        this.size = size;
        this.table = table;
        this.sequenceLength = sequenceLength;
        for (List<Scored> block : blocks) {
            Map<Integer, List<Candidate>> widths = new TreeMap<>();
            for (Scored s : block) {
                Candidate c = new Candidate(s.path.toString(), s.loss, s.path.parameters(size.ffnRatio()), nanos(table.pathMs(s.path)));
                widths.computeIfAbsent(s.path.hidden(), h -> new ArrayList<>()).add(c);
                paths.put(c, s.path);
            }
            byWidth.add(widths);
        }
    }

    /** Up to {@code count} students of least predicted loss within the constraint, best first (empty when none fits). */
    public List<Proposal> top(Constraint constraint, int count) {
        List<TopSelections.Problem<int[]>> problems = new ArrayList<>();
        for (int[] widths : widthAssignments()) {
            long params = minus(constraint.maxParameters(), size.fixedParameters(widths));
            long latency = minus(constraint.maxLatencyNs(), nanos(table.fixedMs(widths, size.embeddingSize())));
            List<List<Candidate>> lists = new ArrayList<>();
            for (int n = 0; n < widths.length; n++) {
                lists.add(byWidth.get(n).get(widths[n]));
            }
            problems.add(new TopSelections.Problem<>(lists, new long[]{params, latency}, widths));
        }
        List<Proposal> out = new ArrayList<>();
        for (TopSelections.Ranked<int[]> r : TopSelections.best(problems, count)) {
            List<BlockPath> chosen = new ArrayList<>();
            for (Candidate c : r.selection.chosen()) {
                chosen.add(paths.get(c));
            }
            out.add(describe(new Architecture(chosen), r.selection.loss()));
        }
        return out;
    }

    /** Costs and prediction of any architecture whose blocks come from the candidates. */
    public Proposal describe(Architecture a, double predictedLoss) {
        return new Proposal(a, predictedLoss, size.parameters(a), size.flops(a, sequenceLength), table.predictMs(a, size.embeddingSize()));
    }

    /** Every choice of one hidden size per block among its candidates' sizes. */
    private List<int[]> widthAssignments() {
        List<int[]> out = new ArrayList<>();
        out.add(new int[0]);
        for (Map<Integer, List<Candidate>> block : byWidth) {
            List<int[]> next = new ArrayList<>();
            for (int[] prefix : out) {
                for (int w : block.keySet()) {
                    int[] e = Arrays.copyOf(prefix, prefix.length + 1);
                    e[prefix.length] = w;
                    next.add(e);
                }
            }
            out = next;
        }
        return out;
    }

    static long nanos(double ms) {
        return Math.round(ms * 1e6);
    }

    /** A budget less a fixed cost; negative when the fixed parts alone exceed it; no limit stays none. */
    private static long minus(long budget, long fixed) {
        return budget == Constraint.NONE ? Constraint.NONE : budget - fixed;
    }
}
