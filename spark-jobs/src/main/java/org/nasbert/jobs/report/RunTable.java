package org.nasbert.jobs.report;

import com.fasterxml.jackson.databind.JsonNode;
import org.nasbert.jobs.search.SearchStage;
import org.nasbert.jobs.students.DistillStage;
import org.nasbert.space.Architecture;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One row per model of a finished run (teacher, searched students, baselines), joined from the distill, export and
 * evaluate outputs by name: what the summary table and the Pareto plots show.
 */
final class RunTable {
    /** One model's numbers; a number the run did not produce is NaN (a latency of an imported table, say). */
    static final class Model {
        final String name;
        final String kind;
        final String constraint;
        final String architecture;
        final long parameters;
        final double predictedMs;
        final double measuredMs;
        final double distillLoss;
        final double score;
        /** A baseline's role for this constraint: parameters or latency (what it matches); empty for other kinds. */
        final String role;

        Model(String name, String kind, String constraint, String architecture, long parameters, double predictedMs,
              double measuredMs, double distillLoss, double score, String role) {
            this.role = role;
            this.name = name;
            this.kind = kind;
            this.constraint = constraint;
            this.architecture = architecture;
            this.parameters = parameters;
            this.predictedMs = predictedMs;
            this.measuredMs = measuredMs;
            this.distillLoss = distillLoss;
            this.score = score;
        }
    }

    final String task;
    /** What {@link Model#score} is: the first metric of the first evaluation file, e.g. "accuracy on dev.tsv". */
    final String scoreName;
    final Model teacher;
    final List<Model> students;
    /** evaluate's verdicts on the first metric of the first file, by "searched|baseline": e.g. "worse (p 0.012)". */
    final Map<String, String> verdicts;

    private RunTable(String task, String scoreName, Model teacher, List<Model> students, Map<String, String> verdicts) {
        this.verdicts = verdicts;
        this.task = task;
        this.scoreName = scoreName;
        this.teacher = teacher;
        this.students = students;
    }

    static RunTable of(JsonNode distilled, JsonNode exported, JsonNode metrics) {
        Map<String, JsonNode> timing = byName(exported.path("students"));
        Map<String, JsonNode> scored = byName(metrics.path("models"));
        String scoreName = scoreName(metrics);
        List<Model> students = new ArrayList<>();
        for (JsonNode s : distilled.path("students")) {
            String name = s.path("name").asText();
            JsonNode t = timing.get(name);
            List<String> constraints = DistillStage.constraints(s.path("constraint").asText());
            JsonNode roles = s.path(DistillStage.BASELINE_FOR);
            for (int i = 0; i < constraints.size(); i++) { // a row per constraint it met
                // a baseline of an earlier version matched parameters only
                String role = !"baseline".equals(s.path("kind").asText()) ? "" : roles.path(i).asText("parameters");
                students.add(new Model(name, s.path("kind").asText(), constraints.get(i), architecture(s), s.path("parameters").asLong(),
                        number(t, "predicted_ms"), number(t, "measured_ms"), s.path("held_out_loss").asDouble(), score(scored.get(name)), role));
            }
        }
        JsonNode t = scored.get("teacher");
        Model teacher = t == null ? null : new Model("teacher", "teacher", "", t.path("architecture").asText(), t.path("parameters").asLong(),
                Double.NaN, Double.NaN, Double.NaN, score(t), "");
        Map<String, String> verdicts = new LinkedHashMap<>();
        String first = null;
        for (JsonNode c : metrics.path("comparisons")) {
            String which = c.path("file").asText() + " " + c.path("metric").asText();
            first = first == null ? which : first;
            if (which.equals(first)) {
                verdicts.put(c.path("searched").asText() + "|" + c.path("baseline").asText(),
                        String.format("%s (p %.2g)", c.path("verdict").asText(), c.path("p").asDouble()));
            }
        }
        return new RunTable(metrics.path("task").asText(), scoreName, teacher, students, verdicts);
    }

    /** The architecture, after the embedding width where it is not block 0's ({@code emb64 > 128:mha,... | ...}). */
    static String architecture(JsonNode student) {
        String a = student.path("architecture").asText();
        JsonNode e = student.path(SearchStage.EMBEDDING_SIZE);
        int first = Architecture.parse(a).blocks().get(0).hidden();
        return e.isInt() && e.asInt() != first ? "emb" + e.asInt() + " > " + a : a;
    }

    /** The searched student of each constraint with the baseline trained for the same constraint (null when none). */
    Map<Model, Model> searchedWithBaselines() {
        return searchedWith("parameters");
    }

    /** The searched student of each constraint with the baseline matched to it in {@code role}: parameters or latency. */
    Map<Model, Model> searchedWith(String role) {
        Map<Model, Model> out = new LinkedHashMap<>();
        for (Model s : students) {
            if ("searched".equals(s.kind)) {
                Model baseline = null;
                for (Model b : students) {
                    if ("baseline".equals(b.kind) && b.constraint.equals(s.constraint) && role.equals(b.role)) {
                        baseline = b;
                    }
                }
                out.put(s, baseline);
            }
        }
        return out;
    }

    /** evaluate's verdict for the pair ("" when it made none). */
    String verdict(Model searched, Model baseline) {
        return baseline == null ? "" : verdicts.getOrDefault(searched.name + "|" + baseline.name, "");
    }

    /** The models of a kind, each once (a student met several constraints has a row per constraint). */
    List<Model> ofKind(String kind) {
        List<Model> out = new ArrayList<>();
        java.util.Set<String> names = new java.util.HashSet<>();
        for (Model m : students) {
            if (kind.equals(m.kind) && names.add(m.name)) {
                out.add(m);
            }
        }
        return out;
    }

    private static String scoreName(JsonNode metrics) {
        for (JsonNode m : metrics.path("models")) {
            java.util.Iterator<Map.Entry<String, JsonNode>> files = m.path("metrics").fields();
            if (files.hasNext()) {
                Map.Entry<String, JsonNode> file = files.next();
                java.util.Iterator<String> names = file.getValue().fieldNames();
                if (names.hasNext()) {
                    return names.next() + " on " + file.getKey();
                }
            }
        }
        return "score";
    }

    private static double score(JsonNode model) {
        if (model == null) {
            return Double.NaN;
        }
        java.util.Iterator<JsonNode> files = model.path("metrics").elements();
        if (!files.hasNext()) {
            return Double.NaN;
        }
        java.util.Iterator<JsonNode> values = files.next().elements();
        return values.hasNext() ? values.next().asDouble() : Double.NaN;
    }

    private static double number(JsonNode node, String field) {
        return node == null || !node.path(field).isNumber() ? Double.NaN : node.path(field).asDouble();
    }

    private static Map<String, JsonNode> byName(JsonNode array) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (JsonNode n : array) {
            out.put(n.path("name").asText(), n);
        }
        return out;
    }
}
