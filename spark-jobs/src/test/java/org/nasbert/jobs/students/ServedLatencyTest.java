package org.nasbert.jobs.students;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.nasbert.io.Json;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A searched student measured in its serving engine against its constraint's latency budget, on the constraint's device. */
class ServedLatencyTest {
    private static JsonNode student(String kind, String constraint) throws Exception {
        return Json.MAPPER.readTree("{\"name\": \"searched-02\", \"kind\": \"" + kind + "\", \"constraint\": \"" + constraint + "\"}");
    }

    @Test
    void aStudentMeasuredOverItsBudgetOnItsDeviceIsFlagged() throws Exception {
        JsonNode s = student("searched", "params=3M;latency@edge=1ms");
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("engine", "onnxruntime");
        List<String> over = ServedLatency.overBudget(s, "edge", "default", 1.25, row);
        assertEquals(Collections.singletonList("searched-02 (latency@edge=1ms on edge): measured 1.250 ms in onnxruntime"), over);
        assertEquals(1.0, (Double) row.get("budget_ms"), 0.0);
        assertFalse((Boolean) row.get("within_budget"));

        Map<String, Object> met = new LinkedHashMap<>();
        assertTrue(ServedLatency.overBudget(s, "edge", "default", 0.99, met).isEmpty());
        assertTrue((Boolean) met.get("within_budget"));
        // the budget is on edge: measured on the run's own device it is not judged against it
        Map<String, Object> own = new LinkedHashMap<>();
        assertTrue(ServedLatency.overBudget(s, "default", "default", 5.0, own).isEmpty());
        assertFalse(own.containsKey("budget_ms"));
    }

    @Test
    void aLatencyWithoutADeviceIsOnTheRunsOwnTableAndBaselinesAreNotJudged() throws Exception {
        Map<String, Object> row = new LinkedHashMap<>();
        assertEquals(1, ServedLatency.overBudget(student("searched", "latency=2ms"), "default", "default", 2.1, row).size());
        assertTrue(ServedLatency.overBudget(student("baseline", "latency=2ms"), "default", "default", 9.0, row).isEmpty(),
                "a baseline matches the budget by prediction; only the searched students promise it");
    }
}
