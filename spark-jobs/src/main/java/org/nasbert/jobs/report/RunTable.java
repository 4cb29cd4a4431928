package org.nasbert.jobs.report;

import org.nasbert.jobs.evaluate.EvaluateManifest;
import org.nasbert.jobs.export.ExportManifest;
import org.nasbert.jobs.distill.StudentsManifest;
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

    static RunTable of(StudentsManifest distilled, ExportManifest exported, EvaluateManifest metrics) {
        Map<String, ExportManifest.Student> timing = new LinkedHashMap<>();
        exported.students.forEach(t -> timing.put(t.name, t));
        Map<String, EvaluateManifest.Scored> scored = new LinkedHashMap<>();
        metrics.models.forEach(m -> scored.put(m.name, m));
        List<Model> students = new ArrayList<>();
        for (StudentsManifest.Student s : distilled.students) {
            ExportManifest.Student t = timing.get(s.name);
            List<String> constraints = s.constraints();
            for (int i = 0; i < constraints.size(); i++) { // a row per constraint it met
                String role = !"baseline".equals(s.kind) ? "" : s.role(i);
                students.add(new Model(s.name, s.kind, constraints.get(i), architecture(s), s.parameters,
                        t == null ? Double.NaN : orNaN(t.predictedMs), t == null ? Double.NaN : orNaN(t.measuredMs), orNaN(s.heldOutLoss),
                        score(scored.get(s.name)), role));
            }
        }
        EvaluateManifest.Scored t = scored.get("teacher");
        Model teacher = t == null ? null : new Model("teacher", "teacher", "", t.architecture, t.parameters == null ? 0 : t.parameters,
                Double.NaN, Double.NaN, Double.NaN, score(t), "");
        Map<String, String> verdicts = new LinkedHashMap<>();
        String first = null;
        for (EvaluateManifest.Comparison c : metrics.comparisons) {
            String which = c.file + " " + c.metric;
            first = first == null ? which : first;
            if (which.equals(first)) {
                verdicts.put(c.searched + "|" + c.baseline, String.format("%s (p %.2g)", c.verdict, c.p));
            }
        }
        return new RunTable(metrics.task, scoreName(metrics), teacher, students, verdicts);
    }

    /** The architecture, after the embedding width where it is not block 0's ({@code emb64 > 128:mha,... | ...}). */
    static String architecture(StudentsManifest.Student student) {
        String a = student.architecture;
        int first = Architecture.parse(a).blocks().get(0).hidden();
        return student.embeddingSize != null && student.embeddingSize != first ? "emb" + student.embeddingSize + " > " + a : a;
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

    private static String scoreName(EvaluateManifest metrics) {
        for (EvaluateManifest.Scored m : metrics.models) {
            for (Map.Entry<String, Map<String, Double>> file : m.metrics.entrySet()) {
                for (String name : file.getValue().keySet()) {
                    return name + " on " + file.getKey();
                }
            }
        }
        return "score";
    }

    private static double score(EvaluateManifest.Scored model) {
        Double v = model == null ? null : model.firstScore();
        return v == null ? Double.NaN : v;
    }

    private static double orNaN(Double v) {
        return v == null ? Double.NaN : v;
    }
}
