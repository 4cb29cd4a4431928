package org.nasbert.latency;

import org.junit.jupiter.api.Test;
import org.nasbert.space.Architecture;
import org.nasbert.space.Op;
import org.nasbert.space.SearchSpace;
import org.nasbert.space.StudentSize;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The latency table: a student's prediction is the sum of its parts; export and import keep it; bad files are named. */
class LatencyTableTest {

    private static LatencyTable table() {
        return table(new HashMap<>());
    }

    private static LatencyTable table(Map<String, LatencyTable.Timing> parts) {
        parts.put("embeddings@128", new LatencyTable.Timing(0.5, 0.4, 0.6, 30));
        parts.put("mha@128", new LatencyTable.Timing(2.0, 1.9, 2.2, 30));
        parts.put("ffn@128", new LatencyTable.Timing(3.0, 2.9, 3.3, 30));
        parts.put("projection@128->256", new LatencyTable.Timing(0.25, 0.2, 0.3, 30));
        parts.put("sep5@256", new LatencyTable.Timing(1.5, 1.4, 1.6, 30));
        parts.put("ffn@256", new LatencyTable.Timing(6.0, 5.8, 6.4, 30));
        parts.put("head@256", new LatencyTable.Timing(0.125, 0.1, 0.2, 30));
        Map<String, String> conditions = new LinkedHashMap<>();
        conditions.put("batch", "1");
        conditions.put("sequence_length", "128");
        return new LatencyTable(conditions, parts);
    }

    @Test
    void aStudentsLatencyIsItsEmbeddingsOpsProjectionsAndHead() {
        Architecture a = Architecture.parse("128:mha,ffn,mha,id | 128:ffn,id,id,id | 256:sep5,ffn,ffn,id");
        // embeddings + (2 + 3 + 2) + 3 + projection + (1.5 + 6 + 6) + head; a same-width boundary costs nothing
        assertEquals(0.5 + 7.0 + 3.0 + 0.25 + 13.5 + 0.125, table().predictMs(a), 1e-12);
    }

    @Test
    void anEmbeddingSizeOtherThanBlockZerosWidthCostsItsEmbeddingsAndAProjectionToBlockZero() {
        Map<String, LatencyTable.Timing> extra = new HashMap<>();
        extra.put("embeddings@64", new LatencyTable.Timing(0.375, 0.3, 0.4, 30));
        extra.put("projection@64->128", new LatencyTable.Timing(0.0625, 0.05, 0.07, 30));
        LatencyTable t = table(extra);
        Architecture a = Architecture.parse("128:mha,ffn,mha,id | 128:ffn,id,id,id | 256:sep5,ffn,ffn,id");
        // embeddings@64 + projection 64->128 instead of embeddings@128; the rest as before
        assertEquals(0.375 + 0.0625 + 7.0 + 3.0 + 0.25 + 13.5 + 0.125, t.predictMs(a, 64), 1e-12);
        assertEquals(t.predictMs(a), t.predictMs(a, 128), 0, "an embedding size equal to block 0's width needs no projection");
        assertEquals(t.predictMs(a, StudentSize.BLOCK_0), t.predictMs(a), 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.predictMs(a, 96));
        assertTrue(e.getMessage().contains("embeddings@96"), e.getMessage());
    }

    @Test
    void aMissingPartIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> table().predictMs(Architecture.parse("128:sep7,id | 256:ffn,id")));
        assertTrue(e.getMessage().contains("sep7@128"), e.getMessage());
    }

    @Test
    void exportThenImportGivesTheSameTableAndPredictions() {
        LatencyTable back = LatencyTable.fromJson(table().toJson(), "t.json");
        assertEquals(table().parts().keySet(), back.parts().keySet());
        assertEquals("128", back.conditions().get("sequence_length"));
        assertEquals(2.2, back.parts().get("mha@128").p90Ms, 0);
        assertEquals(30, back.parts().get("mha@128").runs);
        Architecture a = Architecture.parse("128:mha,ffn | 256:ffn,sep5");
        assertEquals(table().predictMs(a), back.predictMs(a), 0);
        assertTrue(table().toJson().contains("\"units\" : \"milliseconds\""));
    }

    @Test
    void malformedTablesAreRefusedWithFileAndPartNamed() {
        String good = table().toJson();
        String[][] cases = {
                {"{", "not JSON"},
                {"[]", "expected a JSON object"},
                {good.replace("milliseconds", "microseconds"), "units must be"},
                {good.replace("\"median\" : 2.0", "\"median\" : -2.0"), "mha@128"},
                {good.replace("\"runs\" : 30,", "").replace("\"runs\" : 30", "\"runs\" : \"many\""), "runs"},
                {"{\"units\":\"milliseconds\",\"parts\":{}}", "\"parts\" must be"},
        };
        for (String[] c : cases) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LatencyTable.fromJson(c[0], "lat.json"));
            assertTrue(e.getMessage().startsWith("lat.json") && e.getMessage().contains(c[1]), c[1] + " -> " + e.getMessage());
        }
    }

    @Test
    void theMeterTimesEveryPartOfASpaceWithSpreadAndRunCount() {
        SearchSpace space = new SearchSpace(new int[]{32, 64}, new int[]{3}, 2, 4);
        LatencyMeter meter = new LatencyMeter(2, 16, 1, 2, 5, 4, 100);
        Map<String, String> machine = new LinkedHashMap<>();
        machine.put("cpu", "test");
        LatencyTable t = meter.measure(space, machine);
        // per width: mha, ffn, sep3, embeddings, head; one projection each way
        assertEquals(2 * 5 + 2, t.parts().size(), t.parts().keySet().toString());
        assertTrue(t.parts().containsKey(LatencyTable.op(Op.sepConv(3), 64)));
        assertTrue(t.parts().containsKey(LatencyTable.projection(64, 32)));
        for (Map.Entry<String, LatencyTable.Timing> e : t.parts().entrySet()) {
            LatencyTable.Timing x = e.getValue();
            assertTrue(x.medianMs > 0 && x.p10Ms <= x.medianMs && x.medianMs <= x.p90Ms && x.runs == 5, e.getKey());
        }
        assertEquals("16", t.conditions().get("sequence_length"));
        assertEquals("test", t.conditions().get("cpu"));
        assertTrue(meter.measureWhole(Architecture.parse("32:mha,ffn | 64:sep3,id"), StudentSize.BLOCK_0).medianMs > 0);
        assertEquals(List.of(), t.missing(space, StudentSize.BLOCK_0));
        assertEquals(List.of("embeddings@16", "projection@16->32", "projection@16->64"), t.missing(space, 16));
        assertEquals(List.of(), t.missing(space, 32), "32 is a width of the space: its embeddings and projections are there");
    }

    @Test
    void theMeterTimesAnEmbeddingSizeOutsideTheSpaceWithItsProjectionToEveryWidth() {
        SearchSpace space = new SearchSpace(new int[]{32, 64}, new int[]{3}, 2, 4);
        LatencyTable t = new LatencyMeter(2, 16, 1, 2, 5, 4, 100).measure(space, 16, new LinkedHashMap<>());
        assertEquals(2 * 5 + 2 + 1 + 2, t.parts().size(), t.parts().keySet().toString());
        assertEquals(List.of(), t.missing(space, 16));
        assertTrue(t.predictMs(Architecture.parse("32:mha,ffn | 64:sep3,id"), 16) > 0);
    }

    @Test
    void anEnginesRunCostIsPaidOnceAndTheCalibrationScalesTheSumOfParts() {
        Map<String, LatencyTable.Timing> extra = new HashMap<>();
        extra.put("run", new LatencyTable.Timing(0.0625, 0.05, 0.07, 30));
        LatencyTable t = table(extra).withCalibration(new LatencyTable.Calibration(1.25, new double[]{1.2, 1.25, 1.5}));
        Architecture a = Architecture.parse("128:mha,ffn,mha,id | 128:ffn,id,id,id | 256:sep5,ffn,ffn,id");
        assertEquals(1.25 * (0.5 + 7.0 + 3.0 + 0.25 + 13.5 + 0.125) + 0.0625, t.predictMs(a), 1e-12);
        LatencyTable back = LatencyTable.fromJson(t.toJson(), "t.json");
        assertEquals(t.predictMs(a), back.predictMs(a), 0, "the calibration travels with the table");
        assertEquals(3, back.calibration().ratios.length);
        for (String bad : new String[]{"0", "-1", "\"x\""}) {
            String json = t.toJson().replaceFirst("\"factor\" : [0-9.]+", "\"factor\" : " + bad);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LatencyTable.fromJson(json, "edge.json"));
            assertTrue(e.getMessage().startsWith("edge.json: \"calibration\" needs a positive number"), e.getMessage());
        }
    }

    @Test
    void theDeploymentConditionsThatDifferAreNamed() {
        Map<String, String> table = new LinkedHashMap<>();
        table.put("engine", "onnxruntime");
        table.put("batch", "1");
        table.put("sequence_length", "128");
        table.put("threads", "1");
        Map<String, String> expected = new LinkedHashMap<>(table);
        assertEquals(List.of(), LatencyConditions.differences(table, expected));
        expected.put("threads", "2");
        expected.put("batch", "8");
        assertEquals(List.of("batch 1, expected 8", "threads 1, expected 2"), LatencyConditions.differences(table, expected));
        table.remove("engine"); // a table from before engines were named was timed by BigDL
        assertEquals(List.of("engine bigdl, expected onnxruntime", "batch 1, expected 8", "threads 1, expected 2"),
                LatencyConditions.differences(table, expected));
    }
}
