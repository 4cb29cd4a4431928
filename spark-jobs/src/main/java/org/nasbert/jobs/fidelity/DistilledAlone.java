package org.nasbert.jobs.fidelity;

import org.nasbert.conf.Setting;
import org.nasbert.jobs.distill.DistillStage;
import org.nasbert.jobs.distill.StudentsManifest;
import org.nasbert.space.Architecture;
import org.nasbert.stage.StageContext;
import org.nasbert.student.DistillSettings;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The students that distill already trained the way fidelity would: from fresh weights, by the same distill.* recipe
 * on the same run's sequences. Training is deterministic per (seed, step), so fidelity's own run of such a student would
 * repeat distill's bit for bit (the demo's losses agree to the last digit); fidelity takes distill's result instead.
 */
final class DistilledAlone {
    private final Map<String, double[]> results = new HashMap<>();

    private DistilledAlone() {
    }

    /** None when distill has not finished or ran another recipe (any of {@code recipe} but checkpoint-every differs). */
    static DistilledAlone of(StageContext context, List<Setting<?>> recipe) throws IOException {
        DistilledAlone out = new DistilledAlone();
        if (!context.run().isComplete(DistillStage.OUTPUT)) {
            return out;
        }
        StudentsManifest distilled = StudentsManifest.read(context.run());
        for (Setting<?> s : recipe) {
            boolean distillRecipe = s.key().startsWith("distill.") && s != DistillSettings.CHECKPOINT_EVERY;
            if (distillRecipe && !context.settings().recorded(s).equals(distilled.setting(s.key()))) {
                return out;
            }
        }
        for (StudentsManifest.Student s : distilled.students) {
            if ("fresh".equals(s.init) && s.heldOutLoss != null && s.embeddingSize != null) {
                out.results.put(key(Architecture.parse(s.architecture), s.embeddingSize),
                        new double[]{s.heldOutLossAtInit, s.heldOutLoss, s.seconds, 0});
            }
        }
        return out;
    }

    /** distill's {before, after, seconds, 0} for this student, or null when it must be trained here. */
    double[] result(DistillStage.Job job) {
        return results.get(key(job.architecture, job.embeddingSize));
    }

    private static String key(Architecture a, int embeddingSize) {
        return a + "@" + embeddingSize;
    }
}
