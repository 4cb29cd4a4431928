package org.nasbert.jobs.report;

import org.nasbert.jobs.export.ExportManifest;

import java.util.Map;

/** The report's section on latency in the serving engine: per exported student and device, predicted vs measured. */
final class ServedLatencyReport {
    private ServedLatencyReport() {
    }

    static void append(StringBuilder md, ExportManifest exported) {
        boolean any = false;
        for (ExportManifest.Student s : exported.students) {
            any |= s.servedLatency != null;
        }
        if (!any) {
            return;
        }
        md.append("## Latency in the serving engine\n\nEvery exported ONNX file timed whole in ONNX Runtime on one executor ")
                .append("under each device table's batch, length and threads, against the table's prediction (plus the output ")
                .append("projection to the teacher's width, which the table does not hold, timed as a part).\n\n");
        md.append("| student | device | file | predicted ms | measured ms [p10-p90] | error | budget | table's CPU / measured on |\n")
                .append("|---|---|---|---:|---:|---:|---|---|\n");
        for (ExportManifest.Student s : exported.students) {
            if (s.servedLatency == null) {
                continue;
            }
            for (Map.Entry<String, ExportManifest.Served> d : s.servedLatency.entrySet()) {
                ExportManifest.Served r = d.getValue();
                String budget = r.budgetMs == null ? "—" : String.format("%.3f ms: %s", r.budgetMs,
                        Boolean.TRUE.equals(r.withinBudget) ? "met" : "**EXCEEDED**");
                md.append(String.format("| %s | %s | %s | %s | %.3f [%.3f-%.3f] | %s | %s | %s / %s |%n", s.name, d.getKey(), r.file,
                        r.predictedMs != null ? String.format("%.3f", r.predictedMs) : "—", r.measuredMs, r.measuredP10Ms, r.measuredP90Ms,
                        r.error != null ? String.format("%+.1f%%", 100 * r.error) : "—", budget, r.tableCpu, r.measuredOnCpu));
            }
        }
        md.append('\n').append(exported.overLatencyBudget.isEmpty() ? "Every searched student with a latency budget met it when measured.\n\n"
                : "Over their latency budget when measured: " + String.join("; ", exported.overLatencyBudget) + ".\n\n");
    }
}
