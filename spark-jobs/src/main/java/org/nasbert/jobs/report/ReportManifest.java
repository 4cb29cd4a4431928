package org.nasbert.jobs.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.nasbert.jobs.fidelity.FidelityManifest;
import org.nasbert.stage.Manifest;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code <run>/report/manifest.json}: the report's table (also summary.json): per constraint the searched student
 * beside its equal-parameters and equal-latency baselines, with the verdicts; the charts drawn.
 */
public final class ReportManifest extends Manifest {
    /** The score shown: the first file's first metric, e.g. "dev.tsv accuracy". */
    public String score;
    @JsonProperty("teacher_score")
    public Double teacherScore;
    public List<Row> rows = new ArrayList<>();
    @JsonProperty("constraints_without_student")
    public List<String> constraintsWithoutStudent = new ArrayList<>();
    public List<String> charts = new ArrayList<>();
    /** Kendall's tau of each predictor, when fidelity has run. */
    public Map<String, FidelityManifest.Correlation> fidelity;
    @JsonProperty("charts_not_drawn")
    public String chartsNotDrawn;

    /** One constraint's row. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public static final class Row {
        public String constraint;
        public Model searched;
        public Model baseline;
        public String verdict;
        @JsonProperty("latency_baseline")
        public Model latencyBaseline;
        @JsonProperty("latency_verdict")
        public String latencyVerdict;
        @JsonProperty("teacher_score")
        public Double teacherScore;
    }

    /** A model in a row (null numbers: not measured). */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public static final class Model {
        public String name;
        public String architecture;
        public long parameters;
        @JsonProperty("predicted_ms")
        public Double predictedMs;
        @JsonProperty("measured_ms")
        public Double measuredMs;
        @JsonProperty("distill_loss")
        public Double distillLoss;
        public Double score;
    }

    /** Per constraint: the searched student and its baseline side by side, and the teacher's score. */
    @Override
    public String headline(String output) {
        StringBuilder s = new StringBuilder(String.format("per constraint: searched student vs same-budget baseline; %s, teacher %s",
                score, teacherScore != null ? String.format("%.4f", teacherScore) : "-"));
        s.append(String.format("%n               %-12s %-11s %10s %12s %8s %7s | %-11s %10s %8s %7s", "constraint", "", "params",
                "pred/meas ms", "loss", "score", "", "params", "ms", "score"));
        for (Row row : rows) {
            Model a = row.searched;
            Model b = row.baseline;
            s.append(String.format("%n               %-12s %-11s %,10d %5s/%-6s %8s %7s | %-11s %s", row.constraint, a.name, a.parameters,
                    fixed(a.predictedMs, 2), fixed(a.measuredMs, 2), fixed(a.distillLoss, 4), fixed(a.score, 4), b != null ? b.name : "-",
                    b != null ? String.format("%,10d %8s %7s", b.parameters, fixed(b.measuredMs, 2), fixed(b.score, 4)) : ""));
            s.append(String.format("%n                 %s", a.architecture));
        }
        return s.append(String.format("%n             %s/report.md (charts: %s)", output,
                charts.isEmpty() ? "not drawn: " + chartsNotDrawn : charts.size() + " PNG")).toString();
    }

    private static String fixed(Double n, int digits) {
        return n != null ? String.format("%." + digits + "f", n) : "-";
    }
}
