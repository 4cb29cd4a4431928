package org.nasbert.jobs;

import org.nasbert.latency.LatencyTable;
import org.nasbert.space.Op;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A latency table to import, as from a deployment device: every op's latency in proportion to its weights, so
 * shrinking's parameter and latency bins agree and a test does not depend on this machine's timing noise.
 */
public final class FixedLatencyTable {
    private FixedLatencyTable() {
    }

    /** Parts for every width and kernel given (and the projections between the widths), written to {@code file}. */
    public static Path write(Path file, int[] widths, int[] kernels) throws IOException {
        return write(file, widths, kernels, 0);
    }

    /** As {@link #write(Path, int[], int[])}, plus embeddings of {@code embeddingSize} (if not 0) and its projections. */
    public static Path write(Path file, int[] widths, int[] kernels, int embeddingSize) throws IOException {
        return write(file, widths, kernels, embeddingSize, 128);
    }

    /** As {@link #write(Path, int[], int[], int)}, for runs whose latency.sequence-length is {@code sequenceLength}. */
    public static Path write(Path file, int[] widths, int[] kernels, int embeddingSize, int sequenceLength) throws IOException {
        Map<String, LatencyTable.Timing> parts = new HashMap<>();
        if (embeddingSize != 0) {
            parts.put(LatencyTable.embeddings(embeddingSize), timing(0.01 * embeddingSize / 32));
            for (int h : widths) {
                parts.put(LatencyTable.projection(embeddingSize, h), timing(0.02));
            }
        }
        for (int h : widths) {
            List<Op> ops = new ArrayList<>();
            ops.add(Op.MHA);
            ops.add(Op.FFN);
            for (int k : kernels) {
                ops.add(Op.sepConv(k));
            }
            for (Op op : ops) {
                double ms = op.parameters(h, 4) / 1e5;
                parts.put(LatencyTable.op(op, h), timing(ms));
            }
            parts.put(LatencyTable.embeddings(h), timing(0.01 * h / 32));
            parts.put(LatencyTable.head(h), timing(0.005 * h / 32));
            for (int other : widths) {
                if (other != h) {
                    parts.put(LatencyTable.projection(h, other), timing(0.02));
                }
            }
        }
        // the conditions of the default settings, as a probe run on a serving machine would record them
        Map<String, String> conditions = new HashMap<>();
        conditions.put("engine", "onnxruntime");
        conditions.put("batch", "1");
        conditions.put("sequence_length", "" + sequenceLength);
        conditions.put("threads", "1");
        Files.write(file, new LatencyTable(conditions, parts).toJson().getBytes(StandardCharsets.UTF_8));
        return file;
    }

    private static LatencyTable.Timing timing(double ms) {
        return new LatencyTable.Timing(ms, ms, ms, 1);
    }
}
