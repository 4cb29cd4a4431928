package org.nasbert.jobs.distill;

import org.apache.hadoop.fs.Path;
import org.nasbert.NasbertException;
import org.nasbert.jobs.latency.LatencyStage;
import org.nasbert.jobs.search.ParetoFile;
import org.nasbert.jobs.teacher.TeacherManifest;
import org.nasbert.space.Architecture;
import org.nasbert.space.StudentSize;
import org.nasbert.stage.StageContext;
import org.nasbert.student.Baselines;
import org.nasbert.student.DistillSettings;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The students distill trains: each constraint's searched student and its equal-parameters and equal-latency baselines. */
final class DistillJobs {
    private DistillJobs() {
    }

    /**
     * The searched students from pareto.json, then for each constraint with a student two uniform baselines: the one with
     * the most weights within its parameter budget (the constraint's, else the searched student's count) and the one with
     * the most weights whose predicted latency fits its latency budget (the constraint's, else the searched student's
     * prediction). Each distinct architecture is trained once per kind.
     */
    static List<DistillStage.Job> of(StageContext context, Path pareto, TeacherManifest.Teacher teacher) throws java.io.IOException {
        ParetoFile json = ParetoFile.read(context.run());
        int[] widths = org.nasbert.jobs.trainblocks.SupernetManifest.read(context.run()).space.hiddenSizes;
        StudentSize size = new StudentSize(teacher.vocabSize, teacher.maxPositions, 2, org.nasbert.jobs.trainblocks.SupernetManifest.read(context.run()).ffnRatio());
        int layers = teacher.layers;
        Map<String, org.nasbert.latency.LatencyTable> tables = context.get(DistillSettings.BASELINES)
                ? org.nasbert.jobs.latency.LatencyStage.readTables(context) : null;
        List<DistillStage.Job> jobs = new ArrayList<>();
        int n = 0;
        for (ParetoFile.ConstraintResult c : json.constraints) {
            n++;
            if (c.chosen == null) {
                continue;
            }
            String constraint = c.constraint;
            ParetoFile.Student chosen = c.chosen;
            Architecture a = Architecture.parse(chosen.architecture);
            // pareto.json of an earlier version has no embedding size: those students had block 0's width
            int embeddingSize = chosen.embeddingSize != null ? chosen.embeddingSize : a.blocks().get(0).hidden();
            addOrJoin(jobs, new DistillStage.Job(String.format("searched-%02d", n), "searched", constraint, a, embeddingSize));
            if (tables == null) {
                continue;
            }
            // the latency baseline fits the constraint's budget on the constraint's device
            org.nasbert.latency.LatencyTable table = tables.getOrDefault(c.device == null ? "" : c.device, tables.values().iterator().next());
            long maxParameters = c.maxParameters != null ? c.maxParameters : chosen.parameters;
            double maxMs = c.maxLatencyMs != null ? c.maxLatencyMs : chosen.latencyMs;
            // BERT-style: embeddings as wide as the layers
            Architecture byParameters = Baselines.largestWithin(b -> size.parameters(b) <= maxParameters, widths, layers, size);
            Architecture byLatency = Baselines.largestWithin(b -> table.predictMs(b) <= maxMs, widths, layers, size);
            if (byParameters != null) {
                addOrJoin(jobs, new DistillStage.Job(String.format("baseline-%02d", n), "baseline", constraint, "parameters", byParameters,
                        byParameters.blocks().get(0).hidden()));
            }
            if (byLatency != null) {
                addOrJoin(jobs, new DistillStage.Job(String.format("baseline-%02d-latency", n), "baseline", constraint, "latency", byLatency,
                        byLatency.blocks().get(0).hidden()));
            }
        }
        if (jobs.isEmpty()) {
            throw new NasbertException(pareto + " chose no student for any constraint; nothing to distill");
        }
        return jobs;
    }

    /**
     * Adds the job, or, when a job of the same kind already trains the same student (several constraints chose it, or
     * share a baseline, or it is a constraint's baseline in both parameters and latency), adds the constraint (and role)
     * to that one: it is trained once and stands for each, ';'-separated.
     */
    private static void addOrJoin(List<DistillStage.Job> jobs, DistillStage.Job job) {
        for (int i = 0; i < jobs.size(); i++) {
            DistillStage.Job j = jobs.get(i);
            if (j.kind.equals(job.kind) && j.architecture.equals(job.architecture) && j.embeddingSize == job.embeddingSize) {
                jobs.set(i, new DistillStage.Job(j.name, j.kind, j.constraint + DistillStage.CONSTRAINTS_SEPARATOR + job.constraint,
                        j.roles.isEmpty() ? "" : j.roles + DistillStage.CONSTRAINTS_SEPARATOR + job.roles, j.architecture, j.embeddingSize));
                return;
            }
        }
        jobs.add(job);
    }
}
