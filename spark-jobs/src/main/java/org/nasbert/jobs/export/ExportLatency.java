package org.nasbert.jobs.export;

import org.apache.hadoop.fs.Path;
import org.nasbert.jobs.distill.StudentsManifest;
import org.nasbert.jobs.latency.LatencyStage;
import org.nasbert.jobs.search.LatencyCheck;
import org.nasbert.latency.LatencyConditions;
import org.nasbert.latency.LatencyTable;
import org.nasbert.latency.ServedCheck;
import org.nasbert.io.StageOutput;
import org.nasbert.space.Architecture;
import org.nasbert.stage.StageContext;
import org.nasbert.student.StudentExport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The exported students timed whole on one executor beside the latency tables' predictions: in ONNX Runtime under
 * each ONNX Runtime table's conditions, or rebuilt in BigDL when the run's own table is BigDL's; and each student's
 * latency fields of the export manifest.
 */
final class ExportLatency {
    private static final Logger LOG = LoggerFactory.getLogger(ExportLatency.class);
    private final LatencyTable table;
    private final Map<String, LatencyTable> tables;
    private final String own;
    private final List<Architecture> architectures = new ArrayList<>();
    private final List<Integer> embeddings = new ArrayList<>();
    private final List<ServedLatency.Student> served = new ArrayList<>();
    private Map<String, Map<String, ServedCheck.Timed>> inEngine;
    private List<double[]> timed;

    private ExportLatency(StageContext context) throws IOException {
        tables = LatencyStage.readTables(context); // the run's own first
        own = tables.keySet().iterator().next();
        table = tables.get(own);
    }

    /** Times every student written under {@code output}'s temporary directory. */
    static ExportLatency measure(StageContext context, StageOutput output, StudentsManifest distilled, int vocabularySize)
            throws IOException {
        ExportLatency latency = new ExportLatency(context);
        for (StudentsManifest.Student s : distilled.students) {
            Architecture a = Architecture.parse(s.architecture);
            int embedding = s.embeddingSize != null ? s.embeddingSize : a.blocks().get(0).hidden();
            latency.architectures.add(a);
            latency.embeddings.add(embedding);
            latency.served.add(new ServedLatency.Student(s.name, new Path(output.temp(), s.name).toString(), a, embedding,
                    StudentExport.outputWidth(new Path(output.temp(), s.name), context.hadoopConf())));
        }
        latency.inEngine = ServedLatency.time(context, latency.tables, latency.served,
                Integer.parseInt(latency.table.conditions().getOrDefault("runs", "30")), vocabularySize);
        // a BigDL table measured here: the students rebuilt whole in BigDL
        latency.timed = latency.inEngine.containsKey(latency.own) ? null
                : LatencyCheck.run(context, latency.architectures, latency.embeddings);
        return latency;
    }

    /** Student {@code i}'s embedding width, prediction and measurements; adds what runs over its budget to {@code manifest}. */
    void fill(ExportManifest.Student m, StudentsManifest.Student s, int i, ExportManifest manifest) {
        m.embeddingSize = embeddings.get(i);
        Double predicted = predictedMs(table, architectures.get(i), embeddings.get(i));
        m.predictedMs = predicted;
        for (Map.Entry<String, Map<String, ServedCheck.Timed>> d : inEngine.entrySet()) {
            ServedCheck.Timed t = d.getValue().get(s.name);
            Double onDevice = ServedCheck.predictedMs(tables.get(d.getKey()), architectures.get(i), embeddings.get(i),
                    served.get(i).outputWidth, t);
            ExportManifest.Served row = servedRow(t, onDevice, tables.get(d.getKey()));
            manifest.overLatencyBudget.addAll(ServedLatency.overBudget(s, d.getKey(), own, t.whole.medianMs, row));
            if (m.servedLatency == null) {
                m.servedLatency = new LinkedHashMap<>();
            }
            m.servedLatency.put(d.getKey(), row);
            if (d.getKey().equals(own)) {
                m.predictedMs = row.predictedMs;
                m.measuredMs = t.whole.medianMs;
                m.measuredP10Ms = t.whole.p10Ms;
                m.measuredP90Ms = t.whole.p90Ms;
                m.runs = t.whole.runs;
                m.servedFile = t.file;
                m.tableError = row.error;
            }
        }
        if (timed != null) {
            double[] t = timed.get(i);
            m.measuredMs = t[0];
            m.measuredP10Ms = t[1];
            m.measuredP90Ms = t[2];
            m.runs = (int) t[3];
            m.partsTimedAlongsideMs = t[4];
            if (predicted != null) {
                m.tableError = (predicted - t[0]) / t[0];
            }
        }
    }

    /** The conditions, engine and a sentence saying how the students were timed. */
    void describe(ExportManifest manifest) {
        manifest.conditions.putAll(table.conditions());
        manifest.engine = table.engine();
        manifest.timed = inEngine.containsKey(own) ? "every exported ONNX student (classifier.onnx, else model.onnx) whole in "
                + "ONNX Runtime on one executor, under each ONNX Runtime table's batch, length and threads (served_latency per device)"
                : timed != null ? "whole students rebuilt in BigDL on one executor at the table's conditions"
                : "not timed: the latency table was imported (it describes other hardware)";
    }

    /** The table's prediction; null when it lacks a part, such as the teacher's embeddings of an inherited student. */
    private static Double predictedMs(LatencyTable table, Architecture a, int embeddingSize) {
        try {
            return table.predictMs(a, embeddingSize);
        } catch (IllegalArgumentException e) {
            LOG.warn("export: no predicted latency for {} with {}-wide embeddings: {}", a, embeddingSize, e.getMessage());
            return null;
        }
    }

    /** One device's numbers for one student: the table's prediction, the time measured here, their error. */
    private static ExportManifest.Served servedRow(ServedCheck.Timed t, Double predicted, LatencyTable table) {
        ExportManifest.Served row = new ExportManifest.Served();
        row.engine = table.engine();
        row.file = t.file;
        row.predictedMs = predicted;
        row.measuredMs = t.whole.medianMs;
        row.measuredP10Ms = t.whole.p10Ms;
        row.measuredP90Ms = t.whole.p90Ms;
        row.error = predicted == null ? null : (predicted - t.whole.medianMs) / t.whole.medianMs;
        row.outputProjectionMs = t.outputProjectionMs;
        row.tableCpu = table.conditions().get(LatencyConditions.CPU);
        row.measuredOnCpu = t.cpu;
        row.threads = table.conditions().get(LatencyConditions.THREADS);
        return row;
    }
}
