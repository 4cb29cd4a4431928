package org.nasbert.jobs.report;

import org.nasbert.jobs.fidelity.FidelityFile;
import org.nasbert.jobs.fidelity.FidelityManifest;
import org.nasbert.jobs.export.ExportManifest;
import org.nasbert.jobs.trainblocks.SupernetManifest;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/** report.md's text and summary.json's rows. */
final class ReportMarkdown {
    private ReportMarkdown() {
    }

    static String of(String run, RunTable table, List<String> unmet, SupernetManifest supernet, Map<Integer, List<double[]>> pruning,
                     Collection<String> charts, String chartsMissing, FidelityFile fidelity, ExportManifest exported) {
        StringBuilder md = new StringBuilder();
        md.append("# NAS-BERT run report\n\n");
        md.append("Run directory: `").append(run).append("`. Task: `").append(table.task).append("`; score: ").append(table.scoreName)
                .append(". Teacher: ").append(table.teacher == null ? "not evaluated" : String.format("%s, %,d parameters, score %.4f",
                        table.teacher.architecture, table.teacher.parameters, table.teacher.score)).append(".\n\n");
        students(md, table, exported);
        md.append("\nVerdicts: evaluate's paired test of the score's metric on the same examples (McNemar's exact test for "
                + "accuracy), better / worse at p < 0.05, else not distinguishable.\n");
        md.append('\n');
        if (!unmet.isEmpty()) {
            md.append("No student for: ").append(String.join("; ", unmet)).append(".\n\n");
        }
        ServedLatencyReport.append(md, exported);
        if (chartsMissing != null) {
            md.append("Charts were not drawn on this driver (").append(chartsMissing).append("); every number is above and in ")
                    .append("summary.json.\n\n");
        }
        image(md, charts, "pareto-latency.png", "Score against measured latency");
        image(md, charts, "pareto-parameters.png", "Score against parameters");
        fidelity(md, fidelity, charts);
        supernet(md, supernet, pruning, charts);
        md.append("## Sources\n\nEach stage's `manifest.json` under the run directory; the search's `search/pareto.json`; "
                + "the scores in `evaluate/metrics.json`; the exported students in `export/<name>/`.\n");
        return md.toString();
    }

    /** Each constraint's searched student beside its equal-parameter baseline, then beside its equal-latency one. */
    private static void students(StringBuilder md, RunTable table, ExportManifest exported) {
        md.append("## Students per constraint\n\n");
        Map<String, String> conditions = exported.conditions;
        md.append(String.format("Latency: batch %s x %s tokens, %s thread(s), in %s, predicted by the latency table and measured "
                        + "whole (export stage). Loss: held-out distillation loss (distill stage).%n%n", conditions.getOrDefault("batch", "?"),
                conditions.getOrDefault("sequence_length", "?"), conditions.getOrDefault("threads", "?"),
                exported.engine == null ? "bigdl" : exported.engine));
        md.append("| constraint | searched student | parameters | predicted ms | measured ms | loss | score | baseline | "
                + "parameters | measured ms | loss | score | searched vs baseline | teacher score |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---|---:|\n");
        for (Map.Entry<RunTable.Model, RunTable.Model> e : table.searchedWithBaselines().entrySet()) {
            RunTable.Model s = e.getKey();
            RunTable.Model b = e.getValue();
            md.append(String.format("| %s | `%s` | %,d | %s | %s | %s | %s | %s | %s | %s |%n", s.constraint, cell(s.architecture),
                    s.parameters, num(s.predictedMs, 3), num(s.measuredMs, 3), num(s.distillLoss, 4), num(s.score, 4), baselineCells(b),
                    table.verdict(s, b), table.teacher == null ? "—" : num(table.teacher.score, 4)));
        }
        md.append("\nThe same students against the uniform baseline with the most weights whose predicted latency fits the "
                + "constraint's latency budget (or, for a parameter budget, the searched student's predicted latency):\n\n");
        md.append("| constraint | searched student | predicted ms | measured ms | score | baseline (equal latency) | parameters | "
                + "measured ms | loss | score | searched vs baseline |\n|---|---|---:|---:|---:|---|---:|---:|---:|---:|---|\n");
        for (Map.Entry<RunTable.Model, RunTable.Model> e : table.searchedWith("latency").entrySet()) {
            RunTable.Model s = e.getKey();
            RunTable.Model b = e.getValue();
            md.append(String.format("| %s | %s | %s | %s | %s | %s | %s |%n", s.constraint, s.name, num(s.predictedMs, 3), num(s.measuredMs, 3),
                    num(s.score, 4), b == null ? "none fits the budget | — | — | — | —" : baselineCells(b),
                    b == null ? "—" : table.verdict(s, b)));
        }
    }

    /** The supernet's held-out loss per block, and the paths progressive shrinking left per round. */
    private static void supernet(StringBuilder md, SupernetManifest supernet, Map<Integer, List<double[]>> pruning,
                                 Collection<String> charts) {
        md.append("## Block-wise distillation of the supernet\n\n");
        md.append(String.format("%,d steps. Held-out loss per block, mean over sampled paths (at init -> trained; copy-the-input "
                + "baseline):%n%n", supernet.steps));
        int n = 0;
        for (SupernetManifest.BlockEvaluation b : supernet.evaluation) {
            md.append(String.format("- block %d: %s -> %.4f; copy %.4f%n", n++, b.meanLossAtInit != null
                    ? String.format("%.4f", b.meanLossAtInit) : "(resumed)", b.meanLoss, b.copyInputLoss));
        }
        md.append('\n');
        image(md, charts, "block-losses.png", "Training loss per block");
        md.append("## Progressive shrinking\n\nPaths in the latency bins of each block before shrinking (round 0) and after each round:\n\n");
        for (Map.Entry<Integer, List<double[]>> e : pruning.entrySet()) {
            StringBuilder counts = new StringBuilder();
            for (double[] p : e.getValue()) {
                counts.append(counts.length() == 0 ? "" : " -> ").append((long) p[1]);
            }
            md.append("- block ").append(e.getKey()).append(": ").append(counts).append('\n');
        }
        md.append('\n');
        image(md, charts, "pruning.png", "Paths left per block");
    }

    /** A baseline's five cells: architecture, parameters, measured latency, distillation loss, score. */
    private static String baselineCells(RunTable.Model b) {
        return b == null ? "— | — | — | — | —" : String.format("`%s` | %,d | %s | %s | %s", cell(b.architecture), b.parameters,
                num(b.measuredMs, 3), num(b.distillLoss, 4), num(b.score, 4));
    }

    /** How truly the search ranks: fidelity.json's correlations, or how to measure them when the stage did not run. */
    private static void fidelity(StringBuilder md, FidelityFile fidelity, Collection<String> charts) {
        md.append("## Ranking fidelity\n\n");
        if (fidelity == null) {
            md.append("Not measured in this run (`bin/nasbert fidelity --run <run>` distils a sample of students alone and "
                    + "correlates their losses with the search's ranking).\n\n");
            return;
        }
        md.append(String.format("%d students (the chosen ones and others across the size range) distilled alone by distill's recipe. "
                + "Rank correlation of each predictor with their held-out loss (positive = the same order), bootstrap 95%% intervals "
                + "over the students:%n%n| predictor | Kendall tau | Spearman rho |%n|---|---|---|%n", fidelity.students.size()));
        String[][] predictors = {{"search_score", "search score (what the search chooses by)"},
                {"predicted_loss", "block-wise predicted loss"}, {"parameters", "parameters (reference)"},
                {"calibrated_block_losses", "block losses weighted by a fit to the others (leave-one-out)"}};
        for (String[] p : predictors) {
            if (!fidelity.kendallTau.containsKey(p[0])) {
                continue;
            }
            md.append(String.format("| %s | %s | %s |%n", p[1], interval(fidelity.kendallTau.get(p[0])), interval(fidelity.spearmanRho.get(p[0]))));
        }
        md.append('\n');
        image(md, charts, "fidelity.png", "Search score against standalone loss");
    }

    private static String interval(FidelityManifest.Correlation m) {
        return m != null && m.estimate != null ? String.format("%+.3f [%+.3f, %+.3f]", m.estimate, m.low, m.high)
                : "undefined (a constant side)";
    }

    /** summary.json: per constraint, the searched student and its baseline with their numbers and the teacher's score. */
    static List<ReportManifest.Row> rows(RunTable table) {
        List<ReportManifest.Row> rows = new ArrayList<>();
        for (Map.Entry<RunTable.Model, RunTable.Model> e : table.searchedWithBaselines().entrySet()) {
            ReportManifest.Row row = new ReportManifest.Row();
            row.constraint = e.getKey().constraint;
            row.searched = model(e.getKey());
            row.baseline = e.getValue() == null ? null : model(e.getValue());
            row.verdict = table.verdict(e.getKey(), e.getValue());
            RunTable.Model latency = table.searchedWith("latency").get(e.getKey());
            row.latencyBaseline = latency == null ? null : model(latency);
            row.latencyVerdict = table.verdict(e.getKey(), latency);
            row.teacherScore = table.teacher == null ? null : finite(table.teacher.score);
            rows.add(row);
        }
        return rows;
    }

    private static ReportManifest.Model model(RunTable.Model m) {
        ReportManifest.Model out = new ReportManifest.Model();
        out.name = m.name;
        out.architecture = m.architecture;
        out.parameters = m.parameters;
        out.predictedMs = finite(m.predictedMs);
        out.measuredMs = finite(m.measuredMs);
        out.distillLoss = finite(m.distillLoss);
        out.score = finite(m.score);
        return out;
    }

    /** A table cell's text: an architecture's block separators are pipes, which would end the cell. */
    private static String cell(String text) {
        return text.replace("|", "\\|");
    }

    private static Double finite(double v) {
        return Double.isNaN(v) ? null : v;
    }

    private static String num(double v, int digits) {
        return Double.isNaN(v) ? "—" : String.format("%." + digits + "f", v);
    }

    private static void image(StringBuilder md, Collection<String> charts, String file, String alt) {
        if (charts.contains(file)) {
            md.append("![").append(alt).append("](").append(file).append(")\n\n");
        }
    }
}
