package org.nasbert.jobs;

import org.nasbert.jobs.fidelity.FidelityStage;
import org.nasbert.jobs.finetune.EvaluateStage;
import org.nasbert.jobs.finetune.FinetuneStage;
import org.nasbert.jobs.latency.LatencyStage;
import org.nasbert.jobs.report.ReportStage;
import org.nasbert.jobs.search.SearchStage;
import org.nasbert.jobs.students.DistillStage;
import org.nasbert.jobs.students.ExportStage;
import org.nasbert.jobs.supernet.TrainBlocksStage;
import org.nasbert.jobs.teacher.TeacherStage;
import org.nasbert.prep.TokenizeStage;
import org.nasbert.stage.Stage;

import java.util.Arrays;
import java.util.List;

/** The pipeline's stages in the order they run. */
final class Stages {
    private Stages() {
    }

    static List<Stage> pipeline() {
        return Arrays.asList(new TokenizeStage(), new TeacherStage(), new LatencyStage(), new TrainBlocksStage(), new SearchStage(), new DistillStage(), new FidelityStage(),
                new FinetuneStage(), new EvaluateStage(), new ExportStage(), new ReportStage());
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
