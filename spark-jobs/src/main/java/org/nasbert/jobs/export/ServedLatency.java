package org.nasbert.jobs.export;

import org.nasbert.jobs.distill.StudentsManifest;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.nasbert.latency.LatencyConditions;
import org.nasbert.latency.LatencyEngine;
import org.nasbert.latency.LatencyTable;
import org.nasbert.latency.OrtLatencyMeter;
import org.nasbert.latency.ServedCheck;
import org.nasbert.space.Architecture;
import org.nasbert.stage.StageContext;
import org.nasbert.student.StudentOnnx;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * export's check in the engine that serves the students: every exported student's ONNX file (classifier.onnx when
 * finetune ran, else model.onnx) timed whole in ONNX Runtime ({@link ServedCheck}) on one executor, under the
 * conditions (batch, length, threads) of each ONNX Runtime latency table.
 */
final class ServedLatency implements Serializable {
    private static final long serialVersionUID = 1L;

    /** One exported student: its directory, architecture and sizes. */
    static final class Student implements Serializable {
        private static final long serialVersionUID = 1L;
        final String name;
        final String dir;
        final Architecture architecture;
        final int embeddingSize;
        final int outputWidth;

        Student(String name, String dir, Architecture architecture, int embeddingSize, int outputWidth) {
            this.name = name;
            this.dir = dir;
            this.architecture = architecture;
            this.embeddingSize = embeddingSize;
            this.outputWidth = outputWidth;
        }
    }

    private ServedLatency() {
    }

    /** Per device with an ONNX Runtime table, per student name: the timing; devices of other engines are left out. */
    static Map<String, Map<String, ServedCheck.Timed>> time(StageContext context, Map<String, LatencyTable> tables, List<Student> students,
                                                          int runs, int vocab) {
        Map<String, Map<String, ServedCheck.Timed>> out = new LinkedHashMap<>();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(context.spark().sparkContext());
        for (Map.Entry<String, LatencyTable> device : tables.entrySet()) {
            Map<String, String> c = device.getValue().conditions();
            if (!LatencyEngine.ONNXRUNTIME.equals(device.getValue().engine()) || students.isEmpty()) {
                continue;
            }
            int batch = Integer.parseInt(c.get(LatencyConditions.BATCH));
            int seq = Integer.parseInt(c.get(LatencyConditions.SEQUENCE_LENGTH));
            int threads = Integer.parseInt(c.get(LatencyConditions.THREADS));
            List<Student> list = new ArrayList<>(students);
            List<Map<String, ServedCheck.Timed>> timed = jsc.parallelize(Collections.singletonList(0), 1)
                    .map(i -> ServedCheck.time(new OrtLatencyMeter(batch, seq, threads, runs, runs, 4, vocab), read(list))).collect();
            out.put(device.getKey(), timed.get(0));
        }
        return out;
    }

    /** The students' served files: classifier.onnx when finetune ran, else model.onnx. */
    private static List<ServedCheck.Student> read(List<Student> students) throws IOException {
        Configuration conf = new Configuration();
        List<ServedCheck.Student> out = new ArrayList<>();
        for (Student s : students) {
            Path classifier = new Path(s.dir, StudentOnnx.CLASSIFIER_FILE);
            Path file = classifier.getFileSystem(conf).exists(classifier) ? classifier : new Path(s.dir, StudentOnnx.FILE);
            out.add(new ServedCheck.Student(s.name, file.getName(), read(file, conf), s.architecture, s.embeddingSize, s.outputWidth));
        }
        return out;
    }

    /**
     * For a searched student whose constraint limits latency on {@code device}: a line when the time measured in the
     * engine exceeds the limit, also recorded in {@code row} as within_budget. Only meaningful on the table's own CPU.
     */
    static List<String> overBudget(StudentsManifest.Student student, String device, String own, double measuredMs,
                                   ExportManifest.Served row) {
        List<String> out = new ArrayList<>();
        if (!student.searched()) {
            return out;
        }
        for (String text : student.constraints()) {
            org.nasbert.search.Constraint c = org.nasbert.search.Constraint.parse(text, "constraint");
            String on = c.device() == null ? own : c.device();
            if (c.maxLatencyNs() == org.nasbert.search.Constraint.NONE || !on.equals(device)) {
                continue;
            }
            double limit = c.maxLatencyNs() / 1e6;
            row.budgetMs = limit;
            row.withinBudget = measuredMs <= limit;
            if (measuredMs > limit) {
                out.add(String.format("%s (%s on %s): measured %.3f ms in %s", student.name, text, device, measuredMs,
                        row.engine));
            }
        }
        return out;
    }

    private static byte[] read(Path file, Configuration conf) throws IOException {
        FileSystem fs = file.getFileSystem(conf);
        try (InputStream in = fs.open(file)) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                bytes.write(buffer, 0, n);
            }
            return bytes.toByteArray();
        }
    }
}
