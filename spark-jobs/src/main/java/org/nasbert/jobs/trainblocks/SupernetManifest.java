package org.nasbert.jobs.trainblocks;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.nasbert.io.RunDirectory;
import org.nasbert.space.SearchSpace;
import org.nasbert.conf.Setting;
import org.nasbert.supernet.SupernetSettings;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code <run>/supernet/manifest.json}: the space trained, the training's scale and speed, progressive shrinking's
 * summary and the held-out losses of sampled paths before and after training. The space later stages rebuild is the
 * one recorded here ({@link #space()}), not today's supernet.* settings.
 */
public final class SupernetManifest extends org.nasbert.stage.Manifest {
    public Space space;
    public int blocks;
    /** "stored" or "on-the-fly". */
    @JsonProperty("teacher_states")
    public String teacherStates;
    public long steps;
    @JsonProperty("steps_per_epoch")
    public int stepsPerEpoch;
    public Shrinking shrinking;
    @JsonProperty("resumed_from_step")
    public Long resumedFromStep;
    @JsonProperty("training_sequences")
    public long trainingSequences;
    @JsonProperty("held_out_sequences")
    public long heldOutSequences;
    public int partitions;
    @JsonProperty("seconds_training")
    public double secondsTraining;
    @JsonProperty("seconds_first_step")
    public double secondsFirstStep;
    /** The median of the later steps' wall times (sampling, the job, the update; pruning rounds and checkpoints excluded). */
    @JsonProperty("seconds_per_step_median")
    public double secondsPerStepMedian;
    @JsonProperty("bytes_per_step")
    public long bytesPerStep;
    /** Per block: the sampled paths' held-out losses. */
    public List<BlockEvaluation> evaluation = new ArrayList<>();

    /** The space as trained. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static final class Space {
        @JsonProperty("hidden_sizes")
        public int[] hiddenSizes;
        public String operations;
        @JsonProperty("layers_per_block")
        public int layersPerBlock;
        @JsonProperty("candidates_per_layer")
        public int candidatesPerLayer;
        @JsonProperty("paths_per_block")
        public long pathsPerBlock;
    }

    /** Progressive shrinking: its settings as run, what it deleted and kept. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static final class Shrinking {
        public int bins;
        public int sample;
        public int keep;
        @JsonProperty("warmup_epochs")
        public int warmupEpochs;
        @JsonProperty("eval_sequences")
        public int evalSequences;
        @JsonProperty("paths_per_block")
        public long pathsPerBlock;
        @JsonProperty("deleted_outside_bins")
        public long deletedOutsideBins;
        public int rounds;
        public boolean finished;
        @JsonProperty("candidates_per_block")
        public List<Integer> candidatesPerBlock = new ArrayList<>();
        @JsonProperty("seconds_scoring")
        public double secondsScoring;
        /** The candidates file and the history directory, relative to the output. */
        public String candidates;
        public String history;
    }

    /** One block's sampled paths, scored on held-out sequences, and the loss of copying the input. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static final class BlockEvaluation {
        @JsonProperty("copy_input_loss")
        public double copyInputLoss;
        public List<PathLoss> paths = new ArrayList<>();
        /** Absent when training resumed from a checkpoint (the initial weights are gone). */
        @JsonProperty("mean_loss_at_init")
        public Double meanLossAtInit;
        @JsonProperty("mean_loss")
        public double meanLoss;
        @JsonProperty("paths_beating_copy_input")
        public int pathsBeatingCopyInput;
        @JsonProperty("paths_evaluated")
        public int pathsEvaluated;
    }

    /** A path's held-out loss at initialisation (absent when resumed) and after training. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static final class PathLoss {
        public String path;
        @JsonProperty("loss_at_init")
        public Double lossAtInit;
        public double loss;
    }

    public static SupernetManifest read(RunDirectory run) throws IOException {
        return run.manifest(TrainBlocksStage.OUTPUT, SupernetManifest.class);
    }

    /** The search space as train-blocks ran (its recorded supernet.* settings). */
    public SearchSpace space() {
        return new SearchSpace(ints(SupernetSettings.HIDDEN_SIZES), ints(SupernetSettings.KERNELS),
                recorded(SupernetSettings.LAYERS_PER_BLOCK), ffnRatio());
    }

    public int ffnRatio() {
        return recorded(SupernetSettings.FFN_RATIO);
    }

    public long seed() {
        return recorded(SupernetSettings.SEED);
    }

    public int microBatch() {
        return recorded(SupernetSettings.MICRO_BATCH);
    }

    private int[] ints(Setting<List<Integer>> setting) {
        return recorded(setting).stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public String headline(String output) {
        StringBuilder s = new StringBuilder(String.format("%,d steps, %s paths per block; held-out block loss of %d sampled paths "
                        + "(mean at init -> trained; copy-the-input baseline; paths beating it):", steps, space.pathsPerBlock,
                evaluation.isEmpty() ? 0 : evaluation.get(0).pathsEvaluated));
        int n = 0;
        for (BlockEvaluation b : evaluation) {
            s.append(String.format("%n               block %d: %s -> %.4f; copy %.4f; %d of %d", n++,
                    b.meanLossAtInit != null ? String.format("%.4f", b.meanLossAtInit) : "(resumed)", b.meanLoss, b.copyInputLoss,
                    b.pathsBeatingCopyInput, b.pathsEvaluated));
        }
        Shrinking k = shrinking;
        s.append(String.format("%n             shrinking: %d of %d paths per block in %d bins, %d rounds after %d warm-up epochs of %d "
                        + "steps -> candidates per block %s%s", k.pathsPerBlock - k.deletedOutsideBins, k.pathsPerBlock, k.bins, k.rounds,
                k.warmupEpochs, stepsPerEpoch, k.candidatesPerBlock.toString().replace(" ", ""),
                k.finished ? "" : " (NOT finished: supernet.steps ran out first; the candidates are a sample of each bin)"));
        return s.append(String.format("%n             candidates: %s/candidates.json, history: %s/shrinking, weights: %s/weights.safetensors, "
                + "TensorBoard: %s/tensorboard", output, output, output, output)).toString();
    }
}
