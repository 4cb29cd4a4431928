package org.nasbert.prune;

import org.nasbert.conf.Setting;

/** Progressive shrinking's settings; defaults (the paper's numbers) and docs in conf/nasbert.properties. */
public final class PruneSettings {
    public static final Setting<Integer> BINS = Setting.intInRange("prune.bins",
            "Size bins per block (by parameters and latency relative to the largest path)", 1, 1000);
    public static final Setting<Integer> SAMPLE = Setting.intInRange("prune.sample",
            "Paths sampled and scored per bin after each epoch; the worse half is dropped", 2, 1 << 24);
    public static final Setting<Integer> KEEP = Setting.intInRange("prune.keep",
            "Paths each bin keeps when shrinking ends", 1, 1 << 24);
    public static final Setting<Integer> WARMUP_EPOCHS = Setting.intInRange("prune.warmup-epochs",
            "Epochs of training before the first pruning round", 0, 1 << 16);
    public static final Setting<Integer> EVAL_SEQUENCES = Setting.intInRange("prune.eval-sequences",
            "Held-out sequences each path is scored on (the paper's few dev batches)", 1, 1 << 24);

    private PruneSettings() {
    }
}
