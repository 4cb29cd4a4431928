package org.nasbert.finetune;

import org.nasbert.conf.Setting;

/** The finetune and evaluate stages' settings; defaults and docs in conf/nasbert.properties. */
public final class FinetuneSettings {
    public static final Setting<String> TASK = Setting.nonEmpty("finetune.task",
            "Directory of the downstream task: train.tsv, and the files evaluate.files names");
    public static final Setting<String> FORMAT = Setting.string("finetune.format",
            "The task's TSV layout: cola, sst-2, mrpc, sts-b, qqp, mnli, qnli, rte, wnli, or tsv (text<TAB>label)");
    public static final Setting<Integer> MAX_LENGTH = Setting.intInRange("finetune.max-length",
            "Tokens per example with [CLS] and [SEP]; the longer text is cut first", 8, 4096);
    public static final Setting<Integer> EPOCHS = Setting.intInRange("finetune.epochs", "Passes over train.tsv", 1, 1000);
    public static final Setting<Integer> BATCH_SIZE = Setting.intInRange("finetune.batch-size", "Examples per step", 1, 1 << 16);
    public static final Setting<Double> LEARNING_RATE = Setting.doubleInRange("finetune.learning-rate",
            "Peak Adam learning rate of the students and baselines (10% warm-up, then linear decay)", 0.0, 1.0);
    public static final Setting<Double> TEACHER_LEARNING_RATE = Setting.doubleInRange("finetune.teacher-learning-rate",
            "Peak Adam learning rate of the teacher's fine-tuning", 0.0, 1.0);
    public static final Setting<Integer> TEACHER_LAYERS = Setting.intInRange("finetune.teacher-layers",
            "The teacher's top layers fine-tuned (0 = all, with the embeddings); the layers below are frozen", 0, 1000);
    public static final Setting<Double> KD_WEIGHT = Setting.doubleInRange("finetune.kd-weight",
            "λ in (1 - λ) task loss + λ KL to the fine-tuned teacher", 0.0, 1.0);
    public static final Setting<Double> TEMPERATURE = Setting.doubleInRange("finetune.temperature",
            "Softmax temperature of the distillation term", 0.01, 100.0);
    public static final Setting<Integer> CHECKPOINT_EVERY = Setting.intInRange("finetune.checkpoint-every",
            "Steps between a model's checkpoints, and one after its last (0 = none); a rerun resumes each model from its newest "
                    + "and does not retrain a finished one", 0, Integer.MAX_VALUE);
    public static final Setting<Long> SEED = Setting.longValue("finetune.seed", "Seed of the heads' initialisation and minibatches");
    public static final Setting<Integer> SEEDS = Setting.intInRange("finetune.seeds",
            "Fine-tunings of every student and baseline, with seeds finetune.seed, +1, ...: evaluate reports their mean and "
                    + "standard deviation and tests the pooled predictions (the teacher is fine-tuned once)", 1, 100);

    private FinetuneSettings() {
    }
}
