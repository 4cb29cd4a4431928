package org.nasbert.jobs.export;

import org.nasbert.jobs.distill.StudentsManifest;
import org.junit.jupiter.api.Test;
import org.nasbert.io.Json;

import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A searched student measured in its serving engine against its constraint's latency budget, on the constraint's device. */
class ServedLatencyTest {
    private static StudentsManifest.Student student(String kind, String constraint) throws Exception {
        return Json.MAPPER.readValue("{\"name\": \"searched-02\", \"kind\": \"" + kind + "\", \"constraint\": \"" + constraint + "\"}", StudentsManifest.Student.class);
    }

    @Test
    void aStudentMeasuredOverItsBudgetOnItsDeviceIsFlagged() throws Exception {
        StudentsManifest.Student s = student("searched", "params=3M;latency@edge=1ms");
        ExportManifest.Served row = new ExportManifest.Served();
        row.engine = "onnxruntime";
        List<String> over = ServedLatency.overBudget(s, "edge", "default", 1.25, row);
        assertEquals(Collections.singletonList("searched-02 (latency@edge=1ms on edge): measured 1.250 ms in onnxruntime"), over);
        assertEquals(1.0, row.budgetMs, 0.0);
        assertFalse(row.withinBudget);

        ExportManifest.Served met = new ExportManifest.Served();
        assertTrue(ServedLatency.overBudget(s, "edge", "default", 0.99, met).isEmpty());
        assertTrue(met.withinBudget);
        // the budget is on edge: measured on the run's own device it is not judged against it
        ExportManifest.Served own = new ExportManifest.Served();
        assertTrue(ServedLatency.overBudget(s, "default", "default", 5.0, own).isEmpty());
        assertNull(own.budgetMs);
    }

    @Test
    void aLatencyWithoutADeviceIsOnTheRunsOwnTableAndBaselinesAreNotJudged() throws Exception {
        ExportManifest.Served row = new ExportManifest.Served();
        assertEquals(1, ServedLatency.overBudget(student("searched", "latency=2ms"), "default", "default", 2.1, row).size());
        assertTrue(ServedLatency.overBudget(student("baseline", "latency=2ms"), "default", "default", 9.0, row).isEmpty(),
                "a baseline matches the budget by prediction; only the searched students promise it");
    }
}
