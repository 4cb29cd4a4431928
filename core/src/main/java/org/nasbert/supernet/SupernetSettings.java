package org.nasbert.supernet;

import org.nasbert.conf.Setting;
import org.nasbert.conf.Settings;
import org.nasbert.space.SearchSpace;

import java.util.List;

/** The search space's and block training's settings; defaults (the paper's numbers) and docs in conf/nasbert.properties. */
public final class SupernetSettings {
    public static final Setting<Integer> BLOCKS = Setting.intInRange("supernet.blocks",
            "N: blocks the teacher and the supernet are cut into (boundary states Y_0..Y_N)", 1, 64);
    public static final Setting<List<Integer>> HIDDEN_SIZES = Setting.intList("supernet.hidden-sizes",
            "Hidden sizes a block may take (comma-separated)", 1, 1 << 16);
    public static final Setting<List<Integer>> KERNELS = Setting.intList("supernet.kernels",
            "Kernel sizes of the separable convolution candidates (comma-separated, odd)", 1, 1 << 10);
    public static final Setting<Integer> LAYERS_PER_BLOCK = Setting.intInRange("supernet.layers-per-block",
            "Student layers (candidate slots) per block", 1, 64);
    public static final Setting<Integer> FFN_RATIO = Setting.intInRange("supernet.ffn-ratio",
            "Inner size of the FFN candidate as a multiple of the hidden size", 1, 16);
    public static final Setting<Integer> STEPS = Setting.intInRange("supernet.steps",
            "Training steps, each training one sampled path per block (0 = until shrinking ends: warm-up epochs + pruning rounds)",
            0, Integer.MAX_VALUE);
    public static final Setting<Integer> STEPS_PER_EPOCH = Setting.intInRange("supernet.steps-per-epoch",
            "Steps between pruning rounds (0 = one pass over the training sequences: their count / batch size)",
            0, Integer.MAX_VALUE);
    public static final Setting<Integer> BATCH_SIZE = Setting.intInRange("supernet.batch-size",
            "Sequences per step (over all partitions)", 1, 1 << 20);
    public static final Setting<Integer> MICRO_BATCH = Setting.intInRange("supernet.micro-batch",
            "Sequences per forward/backward inside a partition (bounds activation memory; gradients add up to the step's batch)",
            1, 1 << 20);
    public static final Setting<Double> LEARNING_RATE = Setting.doubleInRange("supernet.learning-rate",
            "Peak Adam learning rate", 0.0, 1.0);
    public static final Setting<Integer> WARMUP_STEPS = Setting.intInRange("supernet.warmup-steps",
            "Steps of linear warm-up before the linear decay", 0, Integer.MAX_VALUE);
    public static final Setting<Long> SEED = Setting.longValue("supernet.seed",
            "Seed of initialisation, path sampling and minibatches");
    public static final Setting<Integer> CHECKPOINT_EVERY = Setting.intInRange("supernet.checkpoint-every",
            "Steps between checkpoints (weights and optimiser states)", 1, Integer.MAX_VALUE);
    public static final Setting<Integer> PARTITIONS = Setting.intInRange("supernet.partitions",
            "Data partitions, each with its own model replicas (0 = Spark's default parallelism)", 0, 1 << 16);
    public static final Setting<Integer> EVAL_PATHS = Setting.intInRange("supernet.eval-paths",
            "Sampled paths per block scored on the held-out data before and after training", 1, 1 << 20);

    private SupernetSettings() {
    }

    public static SearchSpace space(Settings settings) {
        return new SearchSpace(ints(settings, HIDDEN_SIZES), ints(settings, KERNELS), settings.get(LAYERS_PER_BLOCK),
                settings.get(FFN_RATIO));
    }

    private static int[] ints(Settings settings, Setting<List<Integer>> setting) {
        return settings.get(setting).stream().mapToInt(Integer::intValue).toArray();
    }
}
