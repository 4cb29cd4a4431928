package org.nasbert.teacher;

import org.nasbert.conf.Setting;

/** The teacher's settings; defaults and docs in conf/nasbert.properties. */
public final class TeacherSettings {
    public static final Setting<String> MODEL = Setting.nonEmpty("teacher.model",
            "The teacher checkpoint: a Hugging Face dir, a TensorFlow checkpoint or an ONNX file; path, path.jar!/entry or maven:g:a:v!/entry");
    public static final Setting<String> VOCAB = Setting.nonEmpty("teacher.vocab",
            "The teacher's vocab.txt or tokenizer.json (path, path.jar!/entry, maven:g:a:v!/entry), or auto: the one beside teacher.model");
    public static final Setting<String> VOCAB_LOWERCASE = Setting.oneOf("teacher.vocab-lowercase",
            "Lower-case a vocab.txt's input: auto decides from the vocabulary", "auto", "true", "false");
    public static final Setting<String> STATES = Setting.oneOf("teacher.states",
            "materialize the boundary states under <run>/teacher/data, or compute them on the fly while training",
            "materialize", "on-the-fly");
    public static final Setting<Double> MAX_STATES_GB = Setting.doubleInRange("teacher.max-states-gb",
            "Largest estimate of materialised states (GB) the teacher stage writes; a larger one is refused before any work, "
                    + "naming teacher.states = on-the-fly", 0.0, 1e9);
    public static final Setting<String> PRECISION = Setting.oneOf("teacher.precision",
            "Stored precision of materialised states", "fp16", "fp32");
    public static final Setting<Integer> SEQUENCES = Setting.intInRange("teacher.sequences",
            "Sequences in the distillation set, a deterministic sample of the corpus (0 = all)", 0, Integer.MAX_VALUE);
    public static final Setting<Double> HELD_OUT = Setting.doubleInRange("teacher.held-out",
            "Fraction of the distillation set marked held_out (for pruning and search), by hash", 0.0, 0.5);
    public static final Setting<Integer> BATCH_SIZE = Setting.intInRange("teacher.batch-size",
            "Sequences per teacher forward pass", 1, 4096);

    private TeacherSettings() {
    }
}
