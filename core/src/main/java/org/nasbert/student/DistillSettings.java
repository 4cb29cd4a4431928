package org.nasbert.student;

import org.nasbert.NasbertException;
import org.nasbert.conf.Setting;

/** The distill stage's settings; defaults and docs in conf/nasbert.properties. */
public final class DistillSettings {
    public static final Setting<Integer> STEPS = Setting.intInRange("distill.steps",
            "Training steps per student (each a minibatch of distill.batch-size sequences)", 1, Integer.MAX_VALUE);
    public static final Setting<Integer> BATCH_SIZE = Setting.intInRange("distill.batch-size",
            "Sequences per step", 1, 1 << 16);
    public static final Setting<Double> LEARNING_RATE = Setting.doubleInRange("distill.learning-rate",
            "Peak Adam learning rate (10% warm-up, then linear decay)", 0.0, 1.0);
    public static final Setting<String> INIT = Setting.oneOf("distill.init",
            "Students' initial weights: fresh (as the paper) or inherited from the supernet", "fresh", "inherited");
    public static final Setting<Boolean> BASELINES = Setting.bool("distill.baselines",
            "Also train a uniform BERT-style baseline at each parameter constraint's budget, by the same recipe");
    public static final Setting<Integer> EVAL_SEQUENCES = Setting.intInRange("distill.eval-sequences",
            "Held-out sequences the students' distillation loss is reported on", 1, 1 << 24);
    public static final Setting<Integer> CHECKPOINT_EVERY = Setting.intInRange("distill.checkpoint-every",
            "Steps between a student's checkpoints (0 = none); a rerun resumes each student from its newest", 0, Integer.MAX_VALUE);
    public static final Setting<String> OBJECTIVE = Setting.oneOf("distill.objective",
            "What students learn: masked-lm (the teacher's masked-LM outputs, KL), hidden-states (its last hidden state, MSE), "
                    + "or auto (masked-lm when the teacher has the head)", "auto", "masked-lm", "hidden-states");
    public static final Setting<Double> MASK_PROBABILITY = Setting.doubleInRange("distill.mask-probability",
            "Share of each sequence's tokens masked for masked-LM distillation (BERT: 0.15)", 0.01, 1.0);
    public static final Setting<Double> TEMPERATURE = Setting.doubleInRange("distill.temperature",
            "Softmax temperature of masked-LM distillation's KL", 0.01, 100.0);
    public static final Setting<Long> SEED = Setting.longValue("distill.seed", "Seed of initialisation and minibatches");

    private DistillSettings() {
    }

    /**
     * Whether students learn the teacher's masked-LM outputs: distill.objective = masked-lm, or auto with a teacher
     * that has the head; masked-lm with a teacher without one is refused, naming the teacher.
     */
    public static boolean maskedLm(String objective, boolean teacherHasHead, String teacher) {
        if ("masked-lm".equals(objective) && !teacherHasHead) {
            throw new NasbertException(OBJECTIVE.key() + " = masked-lm, but the teacher " + teacher
                    + " has no masked-LM head; set it to hidden-states or auto");
        }
        return "masked-lm".equals(objective) || "auto".equals(objective) && teacherHasHead;
    }
}
