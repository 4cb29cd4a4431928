package org.nasbert.jobs.report;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.nasbert.io.Json;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The report's table: a student trained once for several constraints stands on each constraint's row, beside its baseline. */
class RunTableTest {

    private static JsonNode json(String text) throws Exception {
        return Json.MAPPER.readTree(text.replace('\'', '"'));
    }

    @Test
    void aStudentChosenForSeveralConstraintsHasARowForEachWithThatConstraintsBaseline() throws Exception {
        JsonNode distilled = json("{'students': ["
                + "{'name': 'searched-01', 'kind': 'searched', 'constraint': 'params=3M;params=4.5M', 'embedding_size': 64,"
                + " 'architecture': '128:mha,ffn | 128:sep3,id', 'parameters': 2900000, 'held_out_loss': 0.065},"
                + "{'name': 'baseline-01', 'kind': 'baseline', 'constraint': 'params=3M', 'embedding_size': 64,"
                + " 'architecture': '64:mha,ffn', 'parameters': 2290000, 'held_out_loss': 0.066},"
                + "{'name': 'baseline-02', 'kind': 'baseline', 'constraint': 'params=4.5M', 'embedding_size': 128,"
                + " 'architecture': '128:mha,ffn', 'parameters': 4380000, 'held_out_loss': 0.064}]}");
        JsonNode exported = json("{'students': [{'name': 'searched-01', 'predicted_ms': 9.6, 'measured_ms': 9.5},"
                + "{'name': 'baseline-01', 'predicted_ms': 3.9, 'measured_ms': 3.8}, {'name': 'baseline-02', 'predicted_ms': 4.0, 'measured_ms': 3.7}]}");
        JsonNode metrics = json("{'task': 'sentiment', 'models': ["
                + "{'name': 'teacher', 'kind': 'teacher', 'metrics': {'dev.tsv': {'accuracy': 0.90}}},"
                + "{'name': 'searched-01', 'kind': 'searched', 'metrics': {'dev.tsv': {'accuracy': 0.80}}},"
                + "{'name': 'baseline-01', 'kind': 'baseline', 'metrics': {'dev.tsv': {'accuracy': 0.82}}},"
                + "{'name': 'baseline-02', 'kind': 'baseline', 'metrics': {'dev.tsv': {'accuracy': 0.83}}}]}");
        RunTable table = RunTable.of(Json.MAPPER.treeToValue(distilled, org.nasbert.jobs.distill.StudentsManifest.class),
                Json.MAPPER.treeToValue(exported, org.nasbert.jobs.export.ExportManifest.class),
                Json.MAPPER.treeToValue(metrics, org.nasbert.jobs.evaluate.EvaluateManifest.class));

        List<String> rows = new ArrayList<>();
        for (Map.Entry<RunTable.Model, RunTable.Model> e : table.searchedWithBaselines().entrySet()) {
            rows.add(e.getKey().constraint + ": " + e.getKey().name + " " + e.getKey().score + " vs " + e.getValue().name + " "
                    + e.getValue().score);
        }
        assertEquals(List.of("params=3M: searched-01 0.8 vs baseline-01 0.82", "params=4.5M: searched-01 0.8 vs baseline-02 0.83"), rows);
        assertEquals(1, table.ofKind("searched").size(), "plotted once");
        assertEquals("emb64 > 128:mha,ffn | 128:sep3,id", table.ofKind("searched").get(0).architecture,
                "an embedding width other than block 0's is shown");
        assertEquals("64:mha,ffn", table.ofKind("baseline").get(0).architecture, "a BERT-style student's is not");
    }
}
