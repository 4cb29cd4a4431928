package org.nasbert.jobs.export;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.nasbert.io.RunDirectory;
import org.nasbert.stage.Manifest;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code <run>/export/manifest.json}: each exported student's files and its latency, predicted by the run's table and
 * measured whole (in ONNX Runtime, per device, or rebuilt in BigDL), with the students found over their budget.
 */
public final class ExportManifest extends Manifest {
    /** The run's own table's conditions. */
    public Map<String, String> conditions = new LinkedHashMap<>();
    public String engine;
    /** How the students were timed. */
    public String timed;
    @JsonProperty("over_latency_budget")
    public List<String> overLatencyBudget = new ArrayList<>();
    @JsonProperty("classifier_onnx")
    public boolean classifierOnnx;
    public String classifiers;
    public List<Student> students = new ArrayList<>();

    /** One exported student: what it is, its files (bytes) and its latency. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static final class Student {
        public String name;
        public String kind;
        public String constraint;
        public String architecture;
        public long parameters;
        public Map<String, Long> files = new LinkedHashMap<>();
        @JsonProperty("embedding_size")
        public Integer embeddingSize;
        @JsonProperty("predicted_ms")
        public Double predictedMs;
        @JsonProperty("measured_ms")
        public Double measuredMs;
        @JsonProperty("measured_p10_ms")
        public Double measuredP10Ms;
        @JsonProperty("measured_p90_ms")
        public Double measuredP90Ms;
        public Integer runs;
        @JsonProperty("served_file")
        public String servedFile;
        @JsonProperty("table_error")
        public Double tableError;
        @JsonProperty("parts_timed_alongside_ms")
        public Double partsTimedAlongsideMs;
        /** Per device: the exported file timed in ONNX Runtime under that device's table's conditions. */
        @JsonProperty("served_latency")
        public Map<String, Served> servedLatency;
    }

    /** One student on one device's conditions. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static final class Served {
        public String engine;
        public String file;
        @JsonProperty("predicted_ms")
        public Double predictedMs;
        @JsonProperty("measured_ms")
        public double measuredMs;
        @JsonProperty("measured_p10_ms")
        public double measuredP10Ms;
        @JsonProperty("measured_p90_ms")
        public double measuredP90Ms;
        public Double error;
        @JsonProperty("output_projection_ms")
        public Double outputProjectionMs;
        @JsonProperty("table_cpu")
        public String tableCpu;
        @JsonProperty("measured_on_cpu")
        public String measuredOnCpu;
        public String threads;
        @JsonProperty("budget_ms")
        public Double budgetMs;
        @JsonProperty("within_budget")
        public Boolean withinBudget;
    }

    public static ExportManifest read(RunDirectory run) throws IOException {
        return run.manifest(ExportStage.OUTPUT, ExportManifest.class);
    }

    @Override
    public String headline(String output) {
        boolean served = "onnxruntime".equals(engine);
        StringBuilder s = new StringBuilder(String.format("%d students (config.json, model.safetensors, vocab.txt, arch.json, "
                        + "model.onnx%s); latency at %s x %s tokens, %s thread(s) in ms, %s:", students.size(),
                classifierOnnx ? ", classifier.onnx with the task head" : "", conditions.get("batch"), conditions.get("sequence_length"),
                conditions.get("threads"), served ? "predicted by the table / the exported ONNX file measured in ONNX Runtime"
                        : "predicted by the table / sum of the parts timed alongside / whole"));
        for (Student st : students) {
            String timedText = st.measuredMs == null ? "not timed (imported table)"
                    : served ? String.format("%7.3f (table %+.0f%%)", st.measuredMs, 100 * orZero(st.tableError))
                    : String.format("%7.3f / %7.3f (table %+.0f%%)", orZero(st.partsTimedAlongsideMs), st.measuredMs, 100 * orZero(st.tableError));
            s.append(String.format("%n               %-12s %-9s %,11d parameters  %7.3f / %s", st.name, st.kind, st.parameters,
                    orZero(st.predictedMs), timedText));
        }
        for (String over : overLatencyBudget) {
            s.append(String.format("%n             OVER ITS LATENCY BUDGET: %s", over));
        }
        return s.append(String.format("%n             %s/<name>/", output)).toString();
    }

    private static double orZero(Double d) {
        return d == null ? 0 : d;
    }
}
