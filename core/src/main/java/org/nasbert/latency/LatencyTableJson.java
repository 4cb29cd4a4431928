package org.nasbert.latency;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.nasbert.io.Json;

import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/** latency/table.json: units, the conditions it was timed under, the calibration, and each part's timing; read strictly. */
final class LatencyTableJson {
    private LatencyTableJson() {
    }

    static String write(LatencyTable table) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("units", LatencyTable.UNITS);
        ObjectNode c = root.putObject("conditions");
        table.conditions().forEach(c::put);
        LatencyTable.Calibration calibration = table.calibration();
        if (calibration.ratios.length > 0) {
            ObjectNode cal = root.putObject("calibration");
            cal.put("factor", calibration.factor);
            com.fasterxml.jackson.databind.node.ArrayNode r = cal.putArray("ratios");
            for (double x : calibration.ratios) {
                r.add(x);
            }
        }
        ObjectNode p = root.putObject("parts");
        table.parts().forEach((name, t) -> {
            ObjectNode e = p.putObject(name);
            e.put("median", t.medianMs);
            e.put("p10", t.p10Ms);
            e.put("p90", t.p90Ms);
            e.put("runs", t.runs);
        });
        try {
            return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads a table {@link #write} wrote; {@code source} names the file in errors. */
    static LatencyTable read(String json, String source) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException(source + ": not JSON (" + e.getMessage().split("\n")[0] + ")");
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(source + ": expected a JSON object with units, conditions and parts");
        }
        if (!LatencyTable.UNITS.equals(root.path("units").asText())) {
            throw new IllegalArgumentException(source + ": units must be \"" + LatencyTable.UNITS + "\", found " + root.path("units"));
        }
        Map<String, String> conditions = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.path("conditions").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            conditions.put(e.getKey(), e.getValue().asText());
        }
        JsonNode partsNode = root.path("parts");
        if (!partsNode.isObject() || partsNode.size() == 0) {
            throw new IllegalArgumentException(source + ": \"parts\" must be an object of measured parts");
        }
        Map<String, LatencyTable.Timing> parts = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = partsNode.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode t = e.getValue();
            for (String field : new String[]{"median", "p10", "p90", "runs"}) {
                if (!t.path(field).isNumber() || t.path(field).asDouble() < 0 || !Double.isFinite(t.path(field).asDouble())) {
                    throw new IllegalArgumentException(source + ": part " + e.getKey() + " needs a non-negative number \"" + field
                            + "\", found " + t.path(field));
                }
            }
            parts.put(e.getKey(), new LatencyTable.Timing(t.path("median").asDouble(), t.path("p10").asDouble(), t.path("p90").asDouble(),
                    t.path("runs").asInt()));
        }
        JsonNode c = root.path("calibration");
        if (c.isMissingNode()) {
            return new LatencyTable(conditions, parts);
        }
        double factor = c.path("factor").asDouble(Double.NaN);
        if (!c.path("factor").isNumber() || !(factor > 0) || Double.isInfinite(factor)) {
            throw new IllegalArgumentException(source + ": \"calibration\" needs a positive number \"factor\", found " + c.path("factor"));
        }
        double[] ratios = new double[c.path("ratios").size()];
        for (int i = 0; i < ratios.length; i++) {
            ratios[i] = c.path("ratios").get(i).asDouble();
        }
        return new LatencyTable(conditions, parts, new LatencyTable.Calibration(factor, ratios));
    }
}
