package org.nasbert.latency;

import org.nasbert.space.Architecture;
import org.nasbert.space.BlockPath;
import org.nasbert.space.Op;
import org.nasbert.space.SearchSpace;
import org.nasbert.space.StudentSize;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Measured forward latencies of a student's parts, in milliseconds, at one batch size, sequence length and
 * thread count: every candidate op at every width ({@code mha@256}, {@code sep5@128}), the embeddings
 * ({@code embeddings@256}), the projections between blocks of different widths ({@code projection@256->384}) and
 * the head ({@code head@384}). A student's predicted latency is the sum of its parts (identity costs nothing).
 * Exported and imported as JSON, so a table measured on the deployment device can drive the search.
 */
public final class LatencyTable {
    public static final String UNITS = "milliseconds";
    /** The engine's fixed cost of one run of a model, in tables that time it apart from the parts. */
    public static final String RUN = "run";
    private final Map<String, String> conditions;
    private final Map<String, Timing> parts;
    private final Calibration calibration;

    public LatencyTable(Map<String, String> conditions, Map<String, Timing> parts) {
        this(conditions, parts, Calibration.NONE);
    }

    public LatencyTable(Map<String, String> conditions, Map<String, Timing> parts, Calibration calibration) {
        this.conditions = new LinkedHashMap<>(conditions);
        this.parts = new TreeMap<>(parts);
        this.calibration = calibration;
    }

    /**
     * How the sum of parts is scaled to predict a whole student: the median ratio of whole students (random ones of
     * the space, each timed alone) to their sums, measured with the table. In ONNX Runtime a student mixing attention
     * and feed-forward layers ran 5-15% slower than its parts, one of a single kind within 3% of them.
     */
    public static final class Calibration {
        public static final Calibration NONE = new Calibration(1, new double[0]);
        public final double factor;
        /** Each calibration student's whole time over its sum of parts. */
        public final double[] ratios;

        public Calibration(double factor, double[] ratios) {
            this.factor = factor;
            this.ratios = ratios.clone();
        }
    }

    public Calibration calibration() {
        return calibration;
    }

    /** The same parts and conditions with a calibration. */
    public LatencyTable withCalibration(Calibration c) {
        return new LatencyTable(conditions, parts, c);
    }

    public static String op(Op op, int hidden) {
        return op + "@" + hidden;
    }

    public static String embeddings(int hidden) {
        return "embeddings@" + hidden;
    }

    public static String projection(int from, int to) {
        return "projection@" + from + "->" + to;
    }

    public static String head(int hidden) {
        return "head@" + hidden;
    }

    /**
     * The parts of {@code space} this table has no entry for: every op at every width, embeddings, projections,
     * head; and for an {@code embeddingSize} other than {@link StudentSize#BLOCK_0}, the embeddings at that size and
     * its projection to every width.
     */
    public List<String> missing(SearchSpace space, int embeddingSize) {
        Set<String> wanted = new LinkedHashSet<>(embeddingParts(embeddingSize, space.hiddenSizes()));
        for (int h : space.hiddenSizes()) {
            for (Op op : space.operations()) {
                wanted.add(op(op, h));
            }
            wanted.add(embeddings(h));
            wanted.add(head(h));
            if (outputWidth() != 0) {
                wanted.add(projection(h, outputWidth()));
                wanted.add(head(outputWidth()));
            }
            for (int to : space.hiddenSizes()) {
                if (to != h) {
                    wanted.add(projection(h, to));
                }
            }
        }
        wanted.removeAll(parts.keySet());
        return new ArrayList<>(wanted);
    }

    /**
     * Of the embeddings of {@code embeddingSize} and their projection to each of {@code firstWidths}, those this table
     * has no entry for; none for {@link StudentSize#BLOCK_0} (the embeddings of each width are the space's own parts).
     */
    public List<String> missingEmbeddings(int embeddingSize, int[] firstWidths) {
        Set<String> wanted = new LinkedHashSet<>(embeddingParts(embeddingSize, firstWidths));
        wanted.removeAll(parts.keySet());
        return new ArrayList<>(wanted);
    }

    private static List<String> embeddingParts(int embeddingSize, int[] firstWidths) {
        List<String> out = new ArrayList<>();
        if (embeddingSize != StudentSize.BLOCK_0) {
            out.add(embeddings(embeddingSize));
            for (int h : firstWidths) {
                if (h != embeddingSize) {
                    out.add(projection(embeddingSize, h));
                }
            }
        }
        return out;
    }

    /** The condition naming the width the students' output projection maps to (hidden-state distillation). */
    public static final String OUTPUT_WIDTH = "output_width";

    /**
     * The width of the output projection every student carries when served (a student distilled on a teacher's hidden
     * states keeps its projection to the teacher's width), 0 for none: its part is then in every prediction.
     */
    public int outputWidth() {
        return Integer.parseInt(conditions.getOrDefault(OUTPUT_WIDTH, "0"));
    }

    /** The engine that timed the parts: its {@value LatencyEngine#ENGINE} condition, BigDL in tables that do not say. */
    public String engine() {
        return conditions.getOrDefault(LatencyEngine.ENGINE, LatencyEngine.BIGDL);
    }

    public Map<String, String> conditions() {
        return conditions;
    }

    public Map<String, Timing> parts() {
        return parts;
    }

    /** The part's median in milliseconds; an error naming the part when the table lacks it. */
    public double median(String part) {
        Timing t = parts.get(part);
        if (t == null) {
            throw new IllegalArgumentException("the latency table has no entry for " + part + " (it holds " + parts.size()
                    + " parts measured at " + conditions + "); measure it with the latency stage");
        }
        return t.medianMs;
    }

    /** {@link #predictMs(Architecture, int)} with the embeddings at block 0's width. */
    public double predictMs(Architecture architecture) {
        return predictMs(architecture, StudentSize.BLOCK_0);
    }

    /**
     * Embeddings (with a projection to block 0's width when {@code embeddingSize} differs from it), each block's
     * ops, a projection wherever the width changes, and the head, in milliseconds; plus, in a table with a {@value
     * #RUN} part (ONNX Runtime's), the engine's cost of one run, paid once per student.
     */
    public double predictMs(Architecture architecture, int embeddingSize) {
        double sum = 0;
        int[] widths = new int[architecture.blocks().size()];
        for (int i = 0; i < widths.length; i++) {
            BlockPath block = architecture.blocks().get(i);
            widths[i] = block.hidden();
            sum += pathMs(block);
        }
        return sum + fixedMs(widths, embeddingSize);
    }

    /** A block path's operations (identities are free), calibrated, in milliseconds. */
    public double pathMs(BlockPath block) {
        double sum = 0;
        for (Op op : block.ops()) {
            if (!op.isIdentity()) {
                sum += median(op(op, block.hidden()));
            }
        }
        return calibration.factor * sum;
    }

    /**
     * Embeddings of {@code embeddingSize} ({@link StudentSize#BLOCK_0}: the first width) and their projection to the
     * first width if it differs, a projection wherever the width changes, the head at the last and, in a table with
     * an {@link #outputWidth()}, the output projection (calibrated), the run's fixed cost if the table has one, in
     * milliseconds.
     */
    public double fixedMs(int[] widths, int embeddingSize) {
        int e = StudentSize.embeddingWidth(embeddingSize, widths[0]);
        int last = widths[widths.length - 1];
        int out = outputWidth();
        double sum = median(embeddings(e)) + (out != 0 ? median(projection(last, out)) + median(head(out)) : median(head(last)));
        sum += e != widths[0] ? median(projection(e, widths[0])) : 0;
        for (int i = 1; i < widths.length; i++) {
            sum += widths[i] != widths[i - 1] ? median(projection(widths[i - 1], widths[i])) : 0;
        }
        return calibration.factor * sum + (parts.containsKey(RUN) ? median(RUN) : 0);
    }

    /** The table as latency/table.json holds it. */
    public String toJson() {
        return LatencyTableJson.write(this);
    }

    /** Reads a table written by {@link #toJson}; {@code source} names the file in errors. */
    public static LatencyTable fromJson(String json, String source) {
        return LatencyTableJson.read(json, source);
    }

    /** One part's forward time over {@code runs} timed repetitions after a warm-up. */
    public static final class Timing {
        public final double medianMs;
        public final double p10Ms;
        public final double p90Ms;
        public final int runs;

        public Timing(double medianMs, double p10Ms, double p90Ms, int runs) {
            this.medianMs = medianMs;
            this.p10Ms = p10Ms;
            this.p90Ms = p90Ms;
            this.runs = runs;
        }
    }
}
