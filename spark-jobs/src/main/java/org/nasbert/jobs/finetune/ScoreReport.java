package org.nasbert.jobs.finetune;

import com.fasterxml.jackson.databind.JsonNode;
import org.nasbert.jobs.students.DistillStage;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** metrics.json as Markdown: every model's scores, then each searched student beside the baseline of its budget. */
final class ScoreReport {
    private ScoreReport() {
    }

    static String markdown(JsonNode metrics) {
        List<String> columns = new ArrayList<>();
        JsonNode first = metrics.path("models").path(0).path("metrics");
        first.fields().forEachRemaining(f -> f.getValue().fieldNames().forEachRemaining(n -> columns.add(f.getKey() + " " + n)));
        StringBuilder md = new StringBuilder();
        md.append("# Downstream scores: ").append(metrics.path("task").asText()).append(" (").append(metrics.path("format").asText())
                .append(")\n\n| model | kind | constraint | parameters |");
        for (String c : columns) {
            md.append(' ').append(c).append(" |");
        }
        md.append("\n|---|---|---|---:|");
        for (int i = 0; i < columns.size(); i++) {
            md.append("---:|");
        }
        for (JsonNode m : metrics.path("models")) {
            md.append(String.format("%n| %s | %s | %s | %s |", m.path("name").asText(), m.path("kind").asText(), m.path("constraint").asText(),
                    m.has("parameters") ? String.format("%,d", m.path("parameters").asLong()) : ""));
            List<Double> v = values(m, "metrics");
            List<Double> sd = values(m, "seed_sd");
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
        for (JsonNode c : metrics.path("comparisons")) {
            List<String> constraints = new ArrayList<>();
            c.path("constraints").forEach(x -> constraints.add(x.asText()));
            md.append(String.format("%n| %s | %s | %s | %s | %s | %+.4f [%+.4f, %+.4f] | %s | %.3g | %s |", String.join(", ", constraints),
                    c.path("searched").asText(), c.path("baseline").asText(), c.path("file").asText(), c.path("metric").asText(),
                    c.path("difference").asDouble(), c.path("low").asDouble(), c.path("high").asDouble(), c.path("test").asText(),
                    c.path("p").asDouble(), c.path("verdict").asText()));
        }
        return md.append(String.format("%n%n%s. Files: %s%n", metrics.path("statistics").asText("no statistics recorded"),
                metrics.path("files"))).toString();
    }

    /** Each metric's bootstrap interval in the order of {@link #values}; empty for metrics.json of an earlier version. */
    private static List<double[]> intervals(JsonNode model) {
        List<double[]> out = new ArrayList<>();
        model.path("intervals").fields().forEachRemaining(f -> f.getValue().fields().forEachRemaining(
                x -> out.add(new double[]{x.getValue().path("low").asDouble(), x.getValue().path("high").asDouble()})));
        return out;
    }

    /** A model's "metrics" (the pooled scores) or "seed_sd" (their spread over seeds; absent for one seed), in column order. */
    private static List<Double> values(JsonNode model, String field) {
        List<Double> out = new ArrayList<>();
        model.path(field).fields().forEachRemaining(f -> f.getValue().fields().forEachRemaining(x -> out.add(x.getValue().asDouble())));
        return out;
    }
}
