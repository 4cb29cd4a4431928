package org.nasbert.probe;

import com.fasterxml.jackson.databind.JsonNode;
import org.nasbert.NasbertException;
import org.nasbert.io.Json;
import org.nasbert.latency.LatencyConditions;
import org.nasbert.latency.LatencyEngine;
import org.nasbert.latency.LatencyTable;
import org.nasbert.latency.OrtLatencyMeter;
import org.nasbert.latency.ServedCheck;
import org.nasbert.space.Architecture;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The probe's check after export, on the serving machine: every student directory under {@code <run>/export}
 * (classifier.onnx, else model.onnx, and arch.json) timed whole in ONNX Runtime under the table's batch, length and
 * threads, printed beside the table's prediction with the error, and the median and largest |error|.
 */
final class StudentCheck {
    private StudentCheck() {
    }

    static void run(Path exportDir, Path tableFile) throws IOException {
        if (!Files.isRegularFile(tableFile)) {
            throw new NasbertException("--table " + tableFile + ": no such file");
        }
        LatencyTable table = LatencyTable.fromJson(new String(Files.readAllBytes(tableFile), StandardCharsets.UTF_8), tableFile.toString());
        if (!LatencyEngine.ONNXRUNTIME.equals(table.engine())) {
            throw new NasbertException("--table " + tableFile + ": timed in " + table.engine() + "; the students are checked in ONNX Runtime, "
                    + "against a table of ONNX Runtime");
        }
        List<ServedCheck.Student> students = students(exportDir);
        Map<String, String> c = table.conditions();
        int runs = Integer.parseInt(c.getOrDefault("runs", "30"));
        OrtLatencyMeter meter = new OrtLatencyMeter(Integer.parseInt(c.get(LatencyConditions.BATCH)),
                Integer.parseInt(c.get(LatencyConditions.SEQUENCE_LENGTH)), Integer.parseInt(c.get(LatencyConditions.THREADS)), runs, runs,
                4, 30522);
        Map<String, ServedCheck.Timed> timed = ServedCheck.time(meter, students);
        System.out.printf("%d students under %s's conditions (batch %s x %s tokens, %s thread(s)); ms:%n", students.size(), tableFile,
                c.get(LatencyConditions.BATCH), c.get(LatencyConditions.SEQUENCE_LENGTH), c.get(LatencyConditions.THREADS));
        List<Double> errors = new ArrayList<>();
        for (ServedCheck.Student s : students) {
            ServedCheck.Timed t = timed.get(s.name);
            Double predicted = ServedCheck.predictedMs(table, s, t);
            double error = predicted == null ? Double.NaN : (predicted - t.whole.medianMs) / t.whole.medianMs;
            if (predicted != null) {
                errors.add(Math.abs(error));
            }
            System.out.printf("  %-22s %-16s predicted %s  measured %7.3f [%.3f-%.3f]  error %s%n", s.name, t.file,
                    predicted == null ? "   —   " : String.format("%7.3f", predicted), t.whole.medianMs, t.whole.p10Ms, t.whole.p90Ms,
                    predicted == null ? "—" : String.format("%+.1f%%", 100 * error));
        }
        errors.sort(Double::compare);
        if (!errors.isEmpty()) {
            System.out.printf("median |error| %.1f%%, largest %.1f%%%n", 100 * errors.get(errors.size() / 2), 100 * errors.get(errors.size() - 1));
        }
    }

    private static List<ServedCheck.Student> students(Path exportDir) throws IOException {
        if (!Files.isDirectory(exportDir)) {
            throw new NasbertException("--students " + exportDir + ": not a directory (expected the run's export directory)");
        }
        List<ServedCheck.Student> out = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(exportDir, Files::isDirectory)) {
            for (Path dir : dirs) {
                Path arch = dir.resolve("arch.json");
                Path file = Files.exists(dir.resolve("classifier.onnx")) ? dir.resolve("classifier.onnx") : dir.resolve(ServedCheck.ENCODER_FILE);
                if (!Files.exists(arch) || !Files.exists(file)) {
                    continue;
                }
                JsonNode a = Json.MAPPER.readTree(arch.toFile());
                Architecture architecture = Architecture.parse(a.path("architecture").asText());
                out.add(new ServedCheck.Student(dir.getFileName().toString(), file.getFileName().toString(), Files.readAllBytes(file),
                        architecture, a.path("embedding_size").asInt(architecture.blocks().get(0).hidden()), a.path("output_width").asInt(0)));
            }
        }
        if (out.isEmpty()) {
            throw new NasbertException("--students " + exportDir + ": no exported student (a directory with arch.json and model.onnx)");
        }
        out.sort((x, y) -> x.name.compareTo(y.name));
        return out;
    }
}
