package org.nasbert.jobs.evaluate;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** metrics.json as Markdown: every model's scores, then each searched student beside the baseline of its budget. */
final class ScoreReport {
    private ScoreReport() {
    }

    static String markdown(EvaluateManifest metrics) {
        List<String> columns = new ArrayList<>();
        if (!metrics.models.isEmpty()) {
            metrics.models.get(0).metrics.forEach((file, byMetric) -> byMetric.keySet().forEach(n -> columns.add(file + " " + n)));
        }
        StringBuilder md = new StringBuilder();
        md.append("# Downstream scores: ").append(metrics.task).append(" (").append(metrics.format)
                .append(")\n\n| model | kind | constraint | parameters |");
        for (String c : columns) {
            md.append(' ').append(c).append(" |");
        }
        md.append("\n|---|---|---|---:|");
        for (int i = 0; i < columns.size(); i++) {
            md.append("---:|");
        }
        for (EvaluateManifest.Scored m : metrics.models) {
            md.append(String.format("%n| %s | %s | %s | %s |", m.name, m.kind, m.constraint,
                    m.parameters != null ? String.format("%,d", m.parameters) : ""));
            List<Double> v = values(m.metrics);
            List<Double> sd = values(m.seedSd);
            List<double[]> ci = intervals(m);
            for (int i = 0; i < v.size(); i++) {
                md.append(String.format(" %.4f", v.get(i))).append(i < sd.size() ? String.format(" ± %.4f", sd.get(i)) : "")
                        .append(i < ci.size() ? String.format(" [%.4f, %.4f] |", ci.get(i)[0], ci.get(i)[1]) : " |");
            }
        }
        md.append("\n\nWith several fine-tuning seeds: the score of the pooled predictions ± the standard deviation of the seeds' scores.");
        md.append("\n\n## Searched students against the uniform baselines of their constraints\n\nSame examples for both; the "
                + "difference is searched - baseline with its paired-bootstrap 95% interval.\n\n| constraints | searched | baseline | file | "
                + "metric | difference [95%] | test | p | verdict |\n|---|---|---|---|---|---:|---|---:|---|");
        for (EvaluateManifest.Comparison c : metrics.comparisons) {
            md.append(String.format("%n| %s | %s | %s | %s | %s | %+.4f [%+.4f, %+.4f] | %s | %.3g | %s |", String.join(", ", c.constraints),
                    c.searched, c.baseline, c.file, c.metric, c.difference, c.low, c.high, c.test, c.p, c.verdict));
        }
        return md.append(String.format("%n%n%s. Files: %s%n", metrics.statistics == null ? "no statistics recorded" : metrics.statistics,
                org.nasbert.io.Json.MAPPER.valueToTree(metrics.files))).toString();
    }

    /** Each metric's bootstrap interval in the order of {@link #values}; empty for metrics.json of an earlier version. */
    private static List<double[]> intervals(EvaluateManifest.Scored model) {
        List<double[]> out = new ArrayList<>();
        model.intervals.values().forEach(byMetric -> byMetric.values().forEach(x -> out.add(new double[]{x.low, x.high})));
        return out;
    }

    /** Scores by file and metric (the pooled ones, or their spread over seeds: null for one seed), in column order. */
    private static List<Double> values(Map<String, Map<String, Double>> byFile) {
        List<Double> out = new ArrayList<>();
        if (byFile != null) {
            byFile.values().forEach(byMetric -> out.addAll(byMetric.values()));
        }
        return out;
    }
}
