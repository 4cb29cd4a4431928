package org.nasbert.latency;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import org.nasbert.space.Architecture;
import org.nasbert.space.BlockPath;
import org.nasbert.space.Op;
import org.nasbert.space.SearchSpace;
import org.nasbert.space.StudentSize;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Times the latency table's parts in ONNX Runtime, each part the small ONNX model {@link OrtParts} writes with the
 * students' exporter, one session per part (intra-op threads as asked, one inter-op thread, sequential execution,
 * all graph optimisations, no spinning between runs so idle sessions leave the cores to the one timed), parts
 * interleaved across rounds ({@link RoundRobin}). ONNX Runtime's own cost per run (binding inputs, allocating the
 * output) is paid once per student, not once per part: it is timed as the {@value #RUN} part, an identity graph,
 * its median taken off every other part's and added once to every prediction ({@link LatencyTable#predictMs}). The sum
 * of parts is then calibrated on whole students ({@link LatencyTable.Calibration}).
 */
public final class OrtLatencyMeter implements LatencyEngine {
    private static final long serialVersionUID = 1L;
    /** The part that holds ONNX Runtime's cost of one run, paid once per student. */
    public static final String RUN = LatencyTable.RUN;
    /** Logits of the classifier head timed (the shipped tasks are two-way). */
    static final int OUTPUTS = 2;
    /** Random whole students timed to calibrate the sum of parts. */
    public static final int CALIBRATION_STUDENTS = 8;
    private static final long WARMUP_NANOS = 1_000_000_000L;
    /** A served model is timed for at least this long (a part's rounds span the whole table's time anyway). */
    private static final long WHOLE_NANOS = 2_000_000_000L;
    /** A calibration student, one of several whose median ratio counts, for at least this long. */
    private static final long CALIBRATION_NANOS = 500_000_000L;
    private final int batch;
    private final int seq;
    private final int threads;
    private final int warmup;
    private final int runs;
    private final int ffnRatio;
    private final int vocab;
    private int outputWidth;

    public OrtLatencyMeter(int batch, int seq, int threads, int warmup, int runs, int ffnRatio, int vocab) {
        this.batch = batch;
        this.seq = seq;
        this.threads = threads;
        this.warmup = warmup;
        this.runs = runs;
        this.ffnRatio = ffnRatio;
        this.vocab = vocab;
    }

    @Override
    public OrtLatencyMeter withOutputWidth(int width) {
        OrtLatencyMeter m = new OrtLatencyMeter(batch, seq, threads, warmup, runs, ffnRatio, vocab);
        m.outputWidth = width;
        return m;
    }

    /** ONNX Runtime's version, as its native library reports it. */
    public static String version() {
        return OrtEnvironment.getEnvironment().getVersion();
    }

    @Override
    public LatencyTable measure(SearchSpace space, int embeddingSize, Map<String, String> machine) {
        OrtParts parts = parts();
        Map<String, byte[]> models = new LinkedHashMap<>();
        if (embeddingSize != StudentSize.BLOCK_0 && !space.hasWidth(embeddingSize)) {
            models.put(LatencyTable.embeddings(embeddingSize), parts.embeddings(embeddingSize));
            for (int to : space.hiddenSizes()) {
                models.put(LatencyTable.projection(embeddingSize, to), parts.projection(embeddingSize, to));
            }
        }
        for (int h : space.hiddenSizes()) {
            for (Op op : space.operations()) {
                if (!op.isIdentity()) {
                    models.put(LatencyTable.op(op, h), parts.op(op, h));
                }
            }
            models.put(LatencyTable.embeddings(h), parts.embeddings(h));
            models.put(LatencyTable.head(h), parts.head(h, OUTPUTS));
            for (int to : space.hiddenSizes()) {
                if (to != h) {
                    models.put(LatencyTable.projection(h, to), parts.projection(h, to));
                }
            }
            if (outputWidth != 0) { // the students' output projection (the same part when the width is the space's)
                models.putIfAbsent(LatencyTable.projection(h, outputWidth), parts.projection(h, outputWidth));
            }
        }
        if (outputWidth != 0) {
            models.putIfAbsent(LatencyTable.head(outputWidth), parts.head(outputWidth, OUTPUTS));
        }
        Map<String, LatencyTable.Timing> timed = timeParts(models);
        Map<String, String> conditions = LatencyConditions.of(machine, ONNXRUNTIME, version(), batch, seq, threads, warmup, runs,
                outputWidth);
        conditions.put("session", new OrtSessions(batch, seq, threads, vocab).description());
        LatencyTable table = new LatencyTable(conditions, timed);
        return table.withCalibration(calibrate(table, space, embeddingSize, parts));
    }

    /**
     * {@value #CALIBRATION_STUDENTS} random 4-block students of the space (a fixed seed), each timed whole and alone:
     * the factor is the median of (whole - run) / sum of parts.
     */
    private LatencyTable.Calibration calibrate(LatencyTable table, SearchSpace space, int embeddingSize, OrtParts parts) {
        Random random = new Random(17);
        Map<String, byte[]> students = new LinkedHashMap<>();
        Map<String, Architecture> architectures = new LinkedHashMap<>();
        for (int i = 0; i < CALIBRATION_STUDENTS; i++) {
            List<BlockPath> blocks = new ArrayList<>();
            for (int n = 0; n < 4; n++) {
                blocks.add(space.sample(random));
            }
            Architecture a = new Architecture(blocks);
            architectures.put("calibration-" + i, a);
            students.put("calibration-" + i, parts.student(a, embeddingSize, OUTPUTS, outputWidth));
        }
        Map<String, LatencyTable.Timing> whole = timeModels(students, CALIBRATION_NANOS);
        double run = table.median(RUN);
        double[] ratios = new double[CALIBRATION_STUDENTS];
        int i = 0;
        for (Map.Entry<String, Architecture> a : architectures.entrySet()) {
            ratios[i++] = (whole.get(a.getKey()).medianMs - run) / (table.predictMs(a.getValue(), embeddingSize) - run);
        }
        double[] sorted = ratios.clone();
        java.util.Arrays.sort(sorted);
        return new LatencyTable.Calibration(org.nasbert.stats.Bootstrap.percentile(sorted, 50), ratios);
    }

    /**
     * The whole student (as export writes it, fresh weights) timed alone, run after run, as a server runs one model;
     * its parts timed as the table times them, round-robin among themselves.
     */
    @Override
    public Comparison compare(Architecture architecture, int embeddingSize) {
        OrtParts parts = parts();
        LatencyTable.Timing whole = timeModels(Collections.singletonMap("whole",
                parts.student(architecture, embeddingSize, OUTPUTS, outputWidth))).get("whole");
        Map<String, byte[]> models = new LinkedHashMap<>();
        addParts(models, parts, architecture, embeddingSize);
        Map<String, String> conditions = new LinkedHashMap<>();
        if (outputWidth != 0) {
            conditions.put(LatencyTable.OUTPUT_WIDTH, "" + outputWidth);
        }
        return new Comparison(whole, new LatencyTable(conditions, timeParts(models)).predictMs(architecture, embeddingSize));
    }

    /**
     * Whole models (ONNX bytes, such as the exported students), each timed alone, run after run, as a server runs one
     * model (interleaved with other models, a small student ran 30-40% slower: their weights pushed its own out of
     * the caches): median, p10, p90 per name. Inputs are fed by name: {@code input_ids}, {@code attention_mask},
     * {@code token_type_ids}, {@code hidden_states}.
     */
    public Map<String, LatencyTable.Timing> timeModels(Map<String, byte[]> models) {
        return timeModels(models, WHOLE_NANOS);
    }

    private Map<String, LatencyTable.Timing> timeModels(Map<String, byte[]> models, long timedNanos) {
        Map<String, LatencyTable.Timing> out = new LinkedHashMap<>();
        models.forEach((name, onnx) -> out.putAll(time(Collections.singletonMap(name, onnx), timedNanos)));
        return out;
    }

    /** The parts of a student, with the run part, so their sum is the student's prediction. */
    private void addParts(Map<String, byte[]> models, OrtParts parts, Architecture a, int embeddingSize) {
        int first = a.blocks().get(0).hidden();
        int e = StudentSize.embeddingWidth(embeddingSize, first);
        models.put(LatencyTable.embeddings(e), parts.embeddings(e));
        int previous = e;
        for (BlockPath block : a.blocks()) {
            int h = block.hidden();
            if (previous != h) {
                models.putIfAbsent(LatencyTable.projection(previous, h), parts.projection(previous, h));
            }
            for (Op op : block.ops()) {
                if (!op.isIdentity()) {
                    models.putIfAbsent(LatencyTable.op(op, h), parts.op(op, h));
                }
            }
            previous = h;
        }
        if (outputWidth != 0) {
            models.putIfAbsent(LatencyTable.projection(previous, outputWidth), parts.projection(previous, outputWidth));
            previous = outputWidth;
        }
        models.put(LatencyTable.head(previous), parts.head(previous, OUTPUTS));
    }

    private OrtParts parts() {
        return new OrtParts(ffnRatio, vocab, Math.max(seq, 512), 3);
    }

    /** Parts (such as a projection) timed as the table times them: less the engine's cost of a run, which is kept as {@value #RUN}. */
    public Map<String, LatencyTable.Timing> timeParts(Map<String, byte[]> models) {
        return time(models, -1);
    }

    /**
     * Opens a session per model, times them round-robin. Parts ({@code wholeNanos} < 0): also an identity graph (ONNX
     * Runtime's cost of a run) whose median is taken off every other model's and kept as {@value #RUN}. Whole models:
     * a shorter warm-up, then rounds for at least {@code wholeNanos}.
     */
    private Map<String, LatencyTable.Timing> time(Map<String, byte[]> models, long wholeNanos) {
        boolean parts = wholeNanos < 0;
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        List<AutoCloseable> open = new ArrayList<>();
        OrtSessions sessions = new OrtSessions(batch, seq, threads, vocab);
        try (OrtSession.SessionOptions options = sessions.options()) {
            Map<String, Runnable> work = new LinkedHashMap<>();
            if (parts) {
                work.put(RUN, sessions.runner(env, env.createSession(OrtSessions.identity(), options), open));
            }
            for (Map.Entry<String, byte[]> m : models.entrySet()) {
                work.put(m.getKey(), sessions.runner(env, env.createSession(m.getValue(), options), open));
            }
            Map<String, LatencyTable.Timing> timed = RoundRobin.time(work, warmup, runs, parts ? WARMUP_NANOS : WARMUP_NANOS / 2,
                    Math.max(0, wholeNanos));
            return parts ? lessRun(timed) : timed;
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime could not run a latency part at batch " + batch + ", length " + seq
                    + ", threads " + threads + ": " + e.getMessage(), e);
        } finally {
            for (AutoCloseable c : open) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // closing what was opened; the timing is done
                }
            }
        }
    }

    /** Every part but the run less the run's median (never below zero). */
    private static Map<String, LatencyTable.Timing> lessRun(Map<String, LatencyTable.Timing> timed) {
        double run = timed.get(RUN).medianMs;
        Map<String, LatencyTable.Timing> out = new LinkedHashMap<>();
        timed.forEach((name, t) -> out.put(name, name.equals(RUN) ? t : new LatencyTable.Timing(Math.max(0, t.medianMs - run),
                Math.max(0, t.p10Ms - run), Math.max(0, t.p90Ms - run), t.runs)));
        return out;
    }
}
