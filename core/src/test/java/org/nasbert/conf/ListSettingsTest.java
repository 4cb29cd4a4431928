package org.nasbert.conf;

import org.junit.jupiter.api.Test;
import org.nasbert.finetune.EvaluateSettings;
import org.nasbert.latency.LatencySettings;
import org.nasbert.search.Constraint;
import org.nasbert.search.SearchSettings;
import org.nasbert.supernet.SupernetSettings;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** List-valued settings read as typed values; what a run records stays the text the user wrote. */
class ListSettingsTest {
    private static Settings with(String key, String value) {
        return Settings.defaults().with(key, value, "test");
    }

    @Test
    void sizesAreIntegersInTheOrderWritten() {
        assertEquals(Arrays.asList(384, 64, 128), with("supernet.hidden-sizes", " 384, 64 ,128 ").get(SupernetSettings.HIDDEN_SIZES));
        assertEquals(Collections.singletonList(7), with("supernet.kernels", "7").get(SupernetSettings.KERNELS));
        assertEquals(" 384, 64 ,128 ", with("supernet.hidden-sizes", " 384, 64 ,128 ").raw("supernet.hidden-sizes"));
    }

    @Test
    void runsRecordListsAsTheTextGivenAndNumbersAsTheirValue() {
        assertEquals("384, 64 ,128", with("supernet.hidden-sizes", " 384, 64 ,128 ").recorded(SupernetSettings.HIDDEN_SIZES));
        assertEquals("params=10M;latency=8ms", with("search.constraint", "params=10M;latency=8ms").recorded(SearchSettings.CONSTRAINT));
        assertEquals("32", with("supernet.batch-size", " 32").recorded(SupernetSettings.BATCH_SIZE));
        assertEquals("0.1", with("teacher.held-out", ".1").recorded(org.nasbert.teacher.TeacherSettings.HELD_OUT));
    }

    @Test
    void filesAreTrimmedNames() {
        assertEquals(Arrays.asList("dev_matched.tsv", "dev_mismatched.tsv"),
                with("evaluate.files", "dev_matched.tsv, dev_mismatched.tsv").get(EvaluateSettings.FILES));
    }

    @Test
    void deviceTablesMapNamesToFilesInOrder() {
        Map<String, String> tables = with("latency.tables", "lab=lab-table.json,edge=/t/edge.json").get(LatencySettings.TABLES);
        assertEquals(Arrays.asList("lab", "edge"), new ArrayList<>(tables.keySet()));
        assertEquals("/t/edge.json", tables.get("edge"));
        assertEquals(Collections.emptyMap(), with("latency.tables", "").get(LatencySettings.TABLES));
    }

    @Test
    void constraintsAreParsed() {
        List<Constraint> c = with("search.constraint", "params=10M;latency=8ms,params=30M").get(SearchSettings.CONSTRAINT);
        assertEquals(2, c.size());
        assertEquals(10_000_000L, c.get(0).maxParameters());
        assertEquals(Constraint.NONE, c.get(0).maxLatencyNs());
        assertEquals(30_000_000L, c.get(1).maxParameters());
        assertEquals(8_000_000L, c.get(1).maxLatencyNs());
    }
}
