package org.nasbert.jobs;

import org.nasbert.jobs.fidelity.FidelityStage;
import org.nasbert.jobs.evaluate.EvaluateStage;
import org.nasbert.jobs.finetune.FinetuneStage;
import org.nasbert.jobs.latency.LatencyStage;
import org.nasbert.jobs.report.ReportStage;
import org.nasbert.jobs.search.SearchStage;
import org.nasbert.jobs.distill.DistillStage;
import org.nasbert.jobs.export.ExportStage;
import org.nasbert.jobs.trainblocks.TrainBlocksStage;
import org.nasbert.jobs.teacher.TeacherStage;
import org.nasbert.prep.TokenizeStage;
import org.nasbert.stage.Stage;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The pipeline's stages in the order they run. The order is checked against what each stage declares it reads: a
 * stage comes after every one of its inputs (optional inputs may come later: a rerun reads them).
 */
final class Stages {
    private Stages() {
    }

    static List<Stage> pipeline() {
        return inInputOrder(Arrays.asList(new TokenizeStage(), new TeacherStage(), new LatencyStage(), new TrainBlocksStage(),
                new SearchStage(), new DistillStage(), new FidelityStage(), new FinetuneStage(), new EvaluateStage(), new ExportStage(),
                new ReportStage()));
    }

    /** {@code stages}, after checking that each one's inputs come before it. */
    static List<Stage> inInputOrder(List<Stage> stages) {
        Set<String> before = new HashSet<>();
        for (Stage stage : stages) {
            for (Stage input : stage.inputs()) {
                if (!before.contains(input.name())) {
                    throw new IllegalStateException("the pipeline runs " + stage.name() + " before its input " + input.name());
                }
            }
            before.add(stage.name());
        }
        return stages;
    }

    static Stage named(String name) {
        for (Stage stage : pipeline()) {
            if (stage.name().equals(name)) {
                return stage;
            }
        }
        return null;
    }
}
