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
        Map<String, JsonNode[]> pairs = new LinkedHashMap<>();
        for (JsonNode m : metrics.path("models")) {
            md.append(String.format("%n| %s | %s | %s | %s |", m.path("name").asText(), m.path("kind").asText(), m.path("constraint").asText(),
                    m.has("parameters") ? String.format("%,d", m.path("parameters").asLong()) : ""));
            for (double v : values(m)) {
                md.append(String.format(" %.4f |", v));
            }
            String kind = m.path("kind").asText();
            if ("searched".equals(kind) || "baseline".equals(kind)) {
                for (String constraint : DistillStage.constraints(m.path("constraint").asText())) {
                    pairs.computeIfAbsent(constraint, k -> new JsonNode[2])["searched".equals(kind) ? 0 : 1] = m;
                }
            }
        }
        md.append("\n\n## Searched student against the uniform baseline of the same budget\n\n| constraint | searched | baseline | "
                + "searched - baseline |\n|---|---:|---:|---:|");
        for (Map.Entry<String, JsonNode[]> e : pairs.entrySet()) {
            JsonNode[] p = e.getValue();
            if (p[0] == null || p[1] == null) {
                continue;
            }
            double s = values(p[0]).get(0);
            double b = values(p[1]).get(0);
            md.append(String.format("%n| %s | %.4f | %.4f | %+.4f |", e.getKey(), s, b, s - b));
        }
        return md.append(String.format("%n%nFirst metric of the first file (%s). Files: %s%n", columns.isEmpty() ? "" : columns.get(0),
                metrics.path("files"))).toString();
    }

    private static List<Double> values(JsonNode model) {
        List<Double> out = new ArrayList<>();
        model.path("metrics").fields().forEachRemaining(f -> f.getValue().fields().forEachRemaining(x -> out.add(x.getValue().asDouble())));
        return out;
    }
}
