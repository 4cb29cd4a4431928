package org.nasbert.search;

import org.nasbert.NasbertException;
import org.nasbert.latency.LatencyTable;
import org.nasbert.space.Architecture;
import org.nasbert.space.BlockPath;
import org.nasbert.space.StudentSize;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Performance approximation and selection (NAS-BERT §3.3): a student's predicted loss is the sum of its blocks'
 * losses, its parameters and latency those of its blocks plus the fixed parts (embeddings of the size's embedding
 * size, projections, head), which depend only on the blocks' hidden sizes. So the search runs once per assignment of hidden sizes to
 * blocks, over the candidates of those sizes with the budgets less the fixed parts, and {@link TopSelections}
 * merges the runs: the result is exactly the T students of least predicted loss within the constraint.
 * Latency is summed in integer nanoseconds (each part rounded to the nanosecond), on the table of the device the
 * constraint names (several devices' tables may be given; the first is the run's own).
 */
public final class ArchitectureSearch {
    private final List<List<Scored>> blocks;
    /** Per device, per block, per hidden size: the candidates with their costs, computed once. */
    private final Map<String, List<Map<Integer, List<Candidate>>>> byWidth = new LinkedHashMap<>();
    private final Map<Candidate, BlockPath> paths = new IdentityHashMap<>();
    private final StudentSize size;
    private final Map<String, LatencyTable> tables;
    private final String own;
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
        /** On the run's own device's table. */
        public final double latencyMs;
        /** On every device's table, the run's own first. */
        public final Map<String, Double> latencyMsByDevice;

        Proposal(Architecture architecture, double predictedLoss, long parameters, long flops, Map<String, Double> latencyMsByDevice) {
            this.architecture = architecture;
            this.predictedLoss = predictedLoss;
            this.parameters = parameters;
            this.flops = flops;
            this.latencyMsByDevice = latencyMsByDevice;
            this.latencyMs = latencyMsByDevice.values().iterator().next();
        }
    }

    public ArchitectureSearch(List<List<Scored>> blocks, StudentSize size, LatencyTable table, int sequenceLength) {
        this(blocks, size, Collections.singletonMap("default", table), sequenceLength);
    }

    /** {@code tables}: each device's latency table by name, the run's own first. */
    public ArchitectureSearch(List<List<Scored>> blocks, StudentSize size, Map<String, LatencyTable> tables, int sequenceLength) {
        for (int n = 0; n < blocks.size(); n++) {
            if (blocks.get(n).isEmpty()) {
                throw new IllegalArgumentException("block " + n + " has no candidates");
            }
        }
        this.blocks = blocks;
        this.size = size;
        this.tables = new LinkedHashMap<>(tables);
        this.own = tables.keySet().iterator().next();
        this.sequenceLength = sequenceLength;
    }

    /** The device a constraint's latency is on: its own name, or the run's own device. */
    public String device(Constraint constraint) {
        String device = constraint.device() == null ? own : constraint.device();
        if (!tables.containsKey(device)) {
            throw new NasbertException("constraint '" + constraint + "' names device '" + device + "', which has no latency table; "
                    + "the run has tables for " + String.join(", ", tables.keySet()) + " (latency.device, latency.tables)");
        }
        return device;
    }

    /** The blocks' candidates by width with their costs on {@code device}'s table, built on first use. */
    private List<Map<Integer, List<Candidate>>> candidates(String device) {
        return byWidth.computeIfAbsent(device, d -> {
            LatencyTable table = tables.get(d);
            List<Map<Integer, List<Candidate>>> out = new ArrayList<>();
            for (List<Scored> block : blocks) {
                Map<Integer, List<Candidate>> widths = new TreeMap<>();
                for (Scored s : block) {
                    Candidate c = new Candidate(s.path.toString(), s.loss, s.path.parameters(size.ffnRatio()), nanos(table.pathMs(s.path)));
                    widths.computeIfAbsent(s.path.hidden(), h -> new ArrayList<>()).add(c);
                    paths.put(c, s.path);
                }
                out.add(widths);
            }
            return out;
        });
    }

    /** Up to {@code count} students of least predicted loss within the constraint, best first (empty when none fits). */
    public List<Proposal> top(Constraint constraint, int count) {
        String device = device(constraint);
        LatencyTable table = tables.get(device);
        List<Map<Integer, List<Candidate>>> byWidth = candidates(device);
        List<TopSelections.Problem<int[]>> problems = new ArrayList<>();
        for (int[] widths : widthAssignments(byWidth)) {
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
        Map<String, Double> latency = new LinkedHashMap<>();
        tables.forEach((device, table) -> latency.put(device, table.predictMs(a, size.embeddingSize())));
        return new Proposal(a, predictedLoss, size.parameters(a), size.flops(a, sequenceLength), latency);
    }

    /** Every choice of one hidden size per block among its candidates' sizes. */
    private static List<int[]> widthAssignments(List<Map<Integer, List<Candidate>>> byWidth) {
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
