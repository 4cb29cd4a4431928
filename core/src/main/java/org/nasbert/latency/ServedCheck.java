package org.nasbert.latency;

import org.nasbert.space.Architecture;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Exported students timed whole in ONNX Runtime, each alone run after run as a server runs it, beside a latency table's
 * prediction. A student distilled on hidden states serves its output projection to the teacher's width too; no table
 * holds that part, so it is timed here as tables time parts and added to the prediction; {@code model.onnx} (no task
 * head) is predicted without the head. Export runs it on an executor, the probe on a serving machine.
 */
public final class ServedCheck {
    /** The encoder alone; the classifier file ({@code classifier.onnx}) adds the task head. */
    public static final String ENCODER_FILE = "model.onnx";

    private ServedCheck() {
    }

    /** One exported student: its ONNX file (name and bytes) and what arch.json says of its shape. */
    public static final class Student implements Serializable {
        private static final long serialVersionUID = 1L;
        public final String name;
        public final String file;
        final byte[] onnx;
        public final Architecture architecture;
        public final int embeddingSize;
        public final int outputWidth;

        public Student(String name, String file, byte[] onnx, Architecture architecture, int embeddingSize, int outputWidth) {
            this.name = name;
            this.file = file;
            this.onnx = onnx;
            this.architecture = architecture;
            this.embeddingSize = embeddingSize;
            this.outputWidth = outputWidth;
        }

        int lastWidth() {
            return architecture.blocks().get(architecture.blocks().size() - 1).hidden();
        }
    }

    /** What one student measured: the whole file, its output projection as a part (0 without one), on which CPU. */
    public static final class Timed implements Serializable {
        private static final long serialVersionUID = 1L;
        public final String file;
        public final LatencyTable.Timing whole;
        public final double outputProjectionMs;
        public final String cpu;

        Timed(String file, LatencyTable.Timing whole, double outputProjectionMs, String cpu) {
            this.file = file;
            this.whole = whole;
            this.outputProjectionMs = outputProjectionMs;
            this.cpu = cpu;
        }
    }

    /** Every student's file timed whole under the meter's conditions, by name. */
    public static Map<String, Timed> time(OrtLatencyMeter meter, List<Student> students) {
        Map<String, byte[]> wholes = new LinkedHashMap<>();
        Map<String, byte[]> projections = new LinkedHashMap<>();
        OrtParts parts = new OrtParts(4, 2, 2, 5);
        for (Student s : students) {
            wholes.put(s.name, s.onnx);
            if (s.outputWidth != 0) {
                projections.putIfAbsent(LatencyTable.projection(s.lastWidth(), s.outputWidth), parts.projection(s.lastWidth(), s.outputWidth));
            }
        }
        Map<String, LatencyTable.Timing> whole = meter.timeModels(wholes);
        Map<String, LatencyTable.Timing> projected = projections.isEmpty() ? new LinkedHashMap<>() : meter.timeParts(projections);
        String cpu = LatencyConditions.machine().get(LatencyConditions.CPU);
        Map<String, Timed> out = new LinkedHashMap<>();
        for (Student s : students) {
            LatencyTable.Timing p = s.outputWidth == 0 ? null : projected.get(LatencyTable.projection(s.lastWidth(), s.outputWidth));
            out.put(s.name, new Timed(s.file, whole.get(s.name), p == null ? 0 : p.medianMs, cpu));
        }
        return out;
    }

    /**
     * The table's prediction for what was timed (the output projection from the table when it has the student's, else
     * as timed here); null when the table lacks a part (the teacher's embeddings, say).
     */
    public static Double predictedMs(LatencyTable table, Student s, Timed t) {
        return predictedMs(table, s.architecture, s.embeddingSize, s.outputWidth, t);
    }

    /** As {@link #predictedMs(LatencyTable, Student, Timed)}, from the student's shape alone. */
    public static Double predictedMs(LatencyTable table, Architecture a, int embeddingSize, int outputWidth, Timed t) {
        try {
            int last = a.blocks().get(a.blocks().size() - 1).hidden();
            boolean tabled = outputWidth != 0 && table.outputWidth() == outputWidth;
            double head = ENCODER_FILE.equals(t.file) ? table.calibration().factor * table.median(LatencyTable.head(tabled ? outputWidth : last)) : 0;
            return table.predictMs(a, embeddingSize) + (tabled ? 0 : t.outputProjectionMs) - head;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
