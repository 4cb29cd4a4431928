package org.nasbert.jobs.report;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Iterator;
import java.util.Map;

/** The report's section on latency in the serving engine: per exported student and device, predicted vs measured. */
final class ServedLatencyReport {
    private ServedLatencyReport() {
    }

    static void append(StringBuilder md, JsonNode exported) {
        boolean any = false;
        for (JsonNode s : exported.path("students")) {
            any |= s.path("served_latency").isObject();
        }
        if (!any) {
            return;
        }
        md.append("## Latency in the serving engine\n\nEvery exported ONNX file timed whole in ONNX Runtime on one executor ")
                .append("under each device table's batch, length and threads, against the table's prediction (plus the output ")
                .append("projection to the teacher's width, which the table does not hold, timed as a part).\n\n");
        md.append("| student | device | file | predicted ms | measured ms [p10-p90] | error | budget | table's CPU / measured on |\n")
                .append("|---|---|---|---:|---:|---:|---|---|\n");
        for (JsonNode s : exported.path("students")) {
            for (Iterator<Map.Entry<String, JsonNode>> it = s.path("served_latency").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> d = it.next();
                JsonNode r = d.getValue();
                String budget = !r.has("budget_ms") ? "—" : String.format("%.3f ms: %s", r.path("budget_ms").asDouble(),
                        r.path("within_budget").asBoolean() ? "met" : "**EXCEEDED**");
                md.append(String.format("| %s | %s | %s | %s | %.3f [%.3f-%.3f] | %s | %s | %s / %s |%n", s.path("name").asText(), d.getKey(),
                        r.path("file").asText(), r.path("predicted_ms").isNumber() ? String.format("%.3f", r.path("predicted_ms").asDouble()) : "—",
                        r.path("measured_ms").asDouble(), r.path("measured_p10_ms").asDouble(), r.path("measured_p90_ms").asDouble(),
                        r.path("error").isNumber() ? String.format("%+.1f%%", 100 * r.path("error").asDouble()) : "—", budget,
                        r.path("table_cpu").asText(), r.path("measured_on_cpu").asText()));
            }
        }
        JsonNode over = exported.path("over_latency_budget");
        md.append('\n').append(over.size() == 0 ? "Every searched student with a latency budget met it when measured.\n\n"
                : "Over their latency budget when measured: " + join(over) + ".\n\n");
    }

    private static String join(JsonNode list) {
        StringBuilder b = new StringBuilder();
        for (JsonNode n : list) {
            b.append(b.length() == 0 ? "" : "; ").append(n.asText());
        }
        return b.toString();
    }
}
