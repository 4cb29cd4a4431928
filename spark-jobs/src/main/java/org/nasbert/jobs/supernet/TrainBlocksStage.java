package org.nasbert.jobs.supernet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.nasbert.NasbertException;
import org.nasbert.conf.Setting;
import org.nasbert.engine.BigDl;
import org.nasbert.io.Json;
import org.nasbert.io.StageOutput;
import org.nasbert.io.Sha256;
import org.nasbert.jobs.latency.LatencyStage;
import org.nasbert.jobs.teacher.TeacherStage;
import org.nasbert.latency.LatencyTable;
import org.nasbert.prune.PruneSettings;
import org.nasbert.space.BlockPath;
import org.nasbert.space.SearchSpace;
import org.nasbert.space.StudentSize;
import org.nasbert.stage.Stage;
import org.nasbert.stage.StageContext;
import org.nasbert.supernet.GroupOptimizer;
import org.nasbert.supernet.LossCurves;
import org.nasbert.supernet.SupernetBlock;
import org.nasbert.supernet.SupernetSettings;
import org.nasbert.teacher.checkpoint.SafeTensors;
import org.nasbert.teacher.checkpoint.WeightTensor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * train-blocks: every block of the supernet learns, in parallel, to map the teacher's state at its input
 * boundary to the one at its output (MSE), one sampled path per block per step. Path-sparse on Spark's own
 * primitives: replicas live in the executors (built once per partition from the plan), each step ships only
 * the sampled paths' weights, the partitions' gradients of those groups come back through treeAggregate, and
 * the driver applies BigDL's Adam per parameter tensor. Checkpoints go to {@code <run>/_checkpoints-supernet/}
 * and a rerun after a kill resumes from the newest; they are removed once the output is complete.
 */
public final class TrainBlocksStage implements Stage {
    public static final String OUTPUT = "supernet";
    static final String CHECKPOINTS = "_checkpoints-supernet";
    /** The survivors of shrinking with their final held-out losses, sizes and latencies: the search's input. */
    public static final String CANDIDATES = "candidates.json";
    private static final Logger LOG = LoggerFactory.getLogger(TrainBlocksStage.class);

    @Override
    public String name() {
        return "train-blocks";
    }

    @Override
    public String summary() {
        return "block-wise distillation of the weight-sharing supernet, path-sparse, in <run>/supernet";
    }

    @Override
    public String output() {
        return OUTPUT;
    }

    @Override
    public List<Setting<?>> settings() {
        return Arrays.asList(SupernetSettings.HIDDEN_SIZES, SupernetSettings.KERNELS, SupernetSettings.LAYERS_PER_BLOCK,
                SupernetSettings.FFN_RATIO, SupernetSettings.STEPS, SupernetSettings.BATCH_SIZE, SupernetSettings.MICRO_BATCH,
                SupernetSettings.LEARNING_RATE,
                SupernetSettings.WARMUP_STEPS, SupernetSettings.SEED, SupernetSettings.CHECKPOINT_EVERY,
                SupernetSettings.PARTITIONS, SupernetSettings.EVAL_PATHS, SupernetSettings.STEPS_PER_EPOCH,
                PruneSettings.BINS, PruneSettings.SAMPLE, PruneSettings.KEEP, PruneSettings.WARMUP_EPOCHS,
                PruneSettings.EVAL_SEQUENCES);
    }

    @Override
    public Map<String, Object> run(StageContext context, StageOutput output) throws Exception {
        context.run().requireComplete(TeacherStage.OUTPUT, "teacher");
        LatencyTable table = LatencyStage.readTable(context);
        JsonNode teacher = context.run().manifest(TeacherStage.OUTPUT);
        SearchSpace space = SupernetSettings.space(context.settings());
        List<String> missing = table.missing(space, StudentSize.BLOCK_0); // the embedding size is the search's concern
        if (!missing.isEmpty()) {
            throw new NasbertException("the run's latency table lacks " + missing.size() + " parts of this search space, e.g. "
                    + missing.subList(0, Math.min(5, missing.size())) + "; shrinking bins paths by latency, so rerun "
                    + "'bin/nasbert latency --force' with the same supernet.hidden-sizes and supernet.kernels");
        }
        BigDl.init(context.spark().sparkContext()); // BigDL's optimisers run on the Engine's thread pool
        long seed = context.get(SupernetSettings.SEED);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(context.spark().sparkContext());
        int partitions = context.get(SupernetSettings.PARTITIONS) == 0 ? jsc.defaultParallelism() : context.get(SupernetSettings.PARTITIONS);
        TrainingData data = TrainingData.read(context, teacher, space, seed, partitions);
        SupernetPlan plan = data.plan;
        JavaRDD<TrainingRow> train = data.train;
        JavaRDD<TrainingRow> heldOut = data.heldOut;
        long trainRows = train.count();
        long heldOutRows = heldOut.count();
        if (trainRows == 0 || heldOutRows == 0) {
            throw new NasbertException("train-blocks needs training and held-out sequences; the teacher states have "
                    + trainRows + " and " + heldOutRows + " (teacher.sequences, teacher.held-out)");
        }
        LOG.info("train-blocks: {} blocks, space {} layers x {} candidates, {} paths per block; {} training and {} held-out "
                        + "sequences in {} partitions", plan.blocks, space.layersPerBlock(), space.candidatesPerLayer(),
                space.pathsPerBlock(), trainRows, heldOutRows, partitions);

        List<TrainingRow> evalRows = heldOut.take(context.get(PruneSettings.EVAL_SEQUENCES));
        ShrinkingRounds shrinking = new ShrinkingRounds(jsc, plan, evalRows, table, context.get(PruneSettings.BINS),
                context.get(PruneSettings.SAMPLE), context.get(PruneSettings.KEEP), context.get(SupernetSettings.MICRO_BATCH),
                context.run().fileSystem(), new Path(context.run().path(CHECKPOINTS), ShrinkingRounds.DIR));
        int stepsPerEpoch = context.get(SupernetSettings.STEPS_PER_EPOCH) > 0 ? context.get(SupernetSettings.STEPS_PER_EPOCH)
                : (int) Math.max(1, (trainRows + context.get(SupernetSettings.BATCH_SIZE) - 1) / context.get(SupernetSettings.BATCH_SIZE));
        int warmupEpochs = context.get(PruneSettings.WARMUP_EPOCHS);
        int roundsNeeded = shrinking.roundsLeft();
        long steps = context.get(SupernetSettings.STEPS) > 0 ? context.get(SupernetSettings.STEPS)
                : (long) (warmupEpochs + roundsNeeded) * stepsPerEpoch;
        LOG.info("train-blocks: shrinking over {} bins: {} of {} paths per block fit a bin; {} warm-up epochs + {} rounds of "
                        + "{} steps -> {} steps", context.get(PruneSettings.BINS), shrinking.state.survivors(0).size(),
                shrinking.state.pathsPerBlock(), warmupEpochs, roundsNeeded, stepsPerEpoch, steps);
        Training training = new Training(context, plan, train, partitions, shrinking, steps, stepsPerEpoch, warmupEpochs,
                table);
        BlockPath[][] probes = probes(space, plan.blocks, context.get(SupernetSettings.EVAL_PATHS), seed);
        double[][] before = training.resumedFrom == null ? evaluate(jsc, plan, training.master, heldOut, probes) : null;
        training.run();
        double[][] after = evaluate(jsc, plan, training.master, heldOut, probes);
        ObjectNode candidates = shrinking.candidates(training.master);
        shrinking.release();
        data.release();
        SupernetCheckpoint.writeJson(output.fileSystem(), new Path(output.temp(), CANDIDATES), candidates);
        copyHistory(context, output);

        writeWeights(output, training.master);
        copyTensorBoard(context, output);
        // everything a rerun could resume from is in the output now; the checkpoints (weights and Adam's moments) would
        // only take disk space, and make a --force rerun "resume" at the last step instead of training again
        context.run().fileSystem().delete(context.run().path(CHECKPOINTS), true);
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("space", describe(space));
        manifest.put("blocks", plan.blocks);
        manifest.put("teacher_states", data.stored ? "stored" : "on-the-fly");
        manifest.put("steps", steps);
        manifest.put("steps_per_epoch", stepsPerEpoch);
        manifest.put("shrinking", shrinkingSummary(context, shrinking, training.rounds, roundsNeeded));
        manifest.put("resumed_from_step", training.resumedFrom);
        manifest.put("training_sequences", trainRows);
        manifest.put("held_out_sequences", heldOutRows);
        manifest.put("partitions", partitions);
        manifest.put("seconds_training", training.seconds);
        manifest.put("seconds_first_step", training.firstStepSeconds);
        manifest.put("bytes_per_step", training.bytesPerStep());
        manifest.put("evaluation", evaluation(probes, before, after));
        return manifest;
    }

    private static Map<String, Object> shrinkingSummary(StageContext context, ShrinkingRounds shrinking, int rounds, int needed) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("bins", context.get(PruneSettings.BINS));
        m.put("sample", context.get(PruneSettings.SAMPLE));
        m.put("keep", context.get(PruneSettings.KEEP));
        m.put("warmup_epochs", context.get(PruneSettings.WARMUP_EPOCHS));
        m.put("eval_sequences", context.get(PruneSettings.EVAL_SEQUENCES));
        m.put("paths_per_block", shrinking.state.pathsPerBlock());
        m.put("deleted_outside_bins", shrinking.state.deletedOutsideBins());
        m.put("rounds", rounds);
        m.put("finished", rounds >= needed);
        List<Integer> survivors = new ArrayList<>();
        for (int n = 0; n < shrinking.state.blocks(); n++) {
            survivors.add(shrinking.state.survivors(n).size());
        }
        m.put("candidates_per_block", survivors);
        m.put("seconds_scoring", shrinking.secondsScoring);
        m.put("candidates", CANDIDATES);
        m.put("history", ShrinkingRounds.DIR);
        return m;
    }

    /** The driver side of training: master weights, optimiser states, the step loop, checkpoints. */
    private static final class Training {
        final StageContext context;
        final SupernetPlan plan;
        final JavaRDD<TrainingRow> rows;
        final SupernetBlock[] master;
        final GroupOptimizer[] optimizers;
        final long steps;
        final ShrinkingRounds shrinking;
        final int stepsPerEpoch;
        final int warmupEpochs;
        final LatencyTable table;
        int rounds;
        final int rowsPerPartition;
        final int microBatch;
        final Path checkpoints;
        final FileSystem fs;
        final String replicaKey;
        Long resumedFrom;
        long start;
        double seconds;
        double firstStepSeconds;
        long weightBytes;
        long gradientBytes;
        long shipped;

        Training(StageContext context, SupernetPlan plan, JavaRDD<TrainingRow> rows, int partitions, ShrinkingRounds shrinking,
                 long steps, int stepsPerEpoch, int warmupEpochs, LatencyTable table) throws IOException {
            this.shrinking = shrinking;
            this.stepsPerEpoch = stepsPerEpoch;
            this.warmupEpochs = warmupEpochs;
            this.table = table;
            this.context = context;
            this.plan = plan;
            this.rows = rows;
            this.master = plan.build();
            this.optimizers = new GroupOptimizer[plan.blocks];
            for (int n = 0; n < plan.blocks; n++) {
                optimizers[n] = new GroupOptimizer(0.9, 0.999, 1e-6);
            }
            this.steps = steps;
            this.rowsPerPartition = Math.max(1, (context.get(SupernetSettings.BATCH_SIZE) + partitions - 1) / partitions);
            this.microBatch = context.get(SupernetSettings.MICRO_BATCH);
            this.checkpoints = context.run().path(CHECKPOINTS);
            this.fs = context.run().fileSystem();
            this.replicaKey = "train-blocks-" + System.nanoTime();
            this.start = 0;
            resume();
        }

        private String fingerprint() {
            StringBuilder s = new StringBuilder();
            for (Setting<?> setting : new TrainBlocksStage().settings()) {
                s.append(setting.key()).append('=').append(context.settings().raw(setting.key())).append(';');
            }
            // pruning bins by latency: another table means other bins
            return s.append("latency=").append(Sha256.hex(table.toJson().getBytes(StandardCharsets.UTF_8))).toString();
        }

        private void resume() throws IOException {
            Path latest = SupernetCheckpoint.latest(fs, checkpoints);
            if (latest == null) {
                return;
            }
            JsonNode progress = SupernetCheckpoint.progress(fs, latest);
            if (!fingerprint().equals(progress.path("settings").asText())) {
                LOG.warn("train-blocks: checkpoints in {} were made with other settings; starting afresh", checkpoints);
                fs.delete(checkpoints, true);
                return;
            }
            SupernetCheckpoint.restore(fs, latest, master, optimizers, context.get(SupernetSettings.LEARNING_RATE));
            start = progress.path("step").asLong() + 1;
            resumedFrom = progress.path("step").asLong();
            rounds = progress.path("rounds").asInt();
            shrinking.replay(rounds);
        }

        void run() throws IOException {
            long began = System.nanoTime();
            double lr = context.get(SupernetSettings.LEARNING_RATE);
            int warmup = context.get(SupernetSettings.WARMUP_STEPS);
            int every = context.get(SupernetSettings.CHECKPOINT_EVERY);
            double[] recent = new double[plan.blocks];
            int recentSteps = 0;
            LossCurves summaries = new LossCurves(new Path(checkpoints, "tensorboard"), plan.blocks);
            for (long step = start; step < steps; step++) {
                BlockPath[] paths = new BlockPath[plan.blocks];
                float[][][] weights = new float[plan.blocks][][];
                List<List<String>> active = new ArrayList<>();
                for (int n = 0; n < plan.blocks; n++) {
                    paths[n] = shrinking.state.sample(n, new Random(plan.seed * 7919 + step * 104_729L + n));
                    List<String> groups = master[n].groupsOf(paths[n]);
                    active.add(groups);
                    weights[n] = new float[groups.size()][];
                    for (int g = 0; g < groups.size(); g++) {
                        weights[n][g] = master[n].flatten(groups.get(g), false);
                    }
                }
                TrainStep task = new TrainStep(plan, replicaKey, step, rowsPerPartition, microBatch, paths, weights);
                StepResult result = rows.mapPartitionsWithIndex(task, true)
                        .treeAggregate(StepResult.empty(), StepResult::add, StepResult::add);
                if (result.partitions == 0) {
                    throw new IllegalStateException("no partition held training data");
                }
                double rate = GroupOptimizer.learningRate(lr, step, warmup, steps);
                for (int n = 0; n < plan.blocks; n++) {
                    List<String> groups = active.get(n);
                    for (int g = 0; g < groups.size(); g++) {
                        float[] grad = result.gradients[n][g];
                        for (int i = 0; i < grad.length; i++) {
                            grad[i] /= result.partitions;
                        }
                        master[n].load(groups.get(g), grad, true);
                        optimizers[n].step(groups.get(g), Arrays.asList(master[n].group(groups.get(g)).parameters()._1()),
                                Arrays.asList(master[n].group(groups.get(g)).parameters()._2()), rate);
                    }
                    double loss = result.loss[n] / result.partitions;
                    recent[n] += loss;
                    summaries.add(n, loss, step);
                }
                weightBytes += task.weightBytes() * result.partitions;
                gradientBytes += result.gradientBytes() * result.partitions;
                shipped++;
                recentSteps++;
                if (step == start) {
                    // the first step also builds the executors' replicas and caches the training rows
                    firstStepSeconds = (System.nanoTime() - began) / 1e9;
                }
                boolean pruned = false;
                if ((step + 1) % stepsPerEpoch == 0 && (step + 1) / stepsPerEpoch > warmupEpochs && shrinking.roundsLeft() > 0) {
                    shrinking.round(++rounds, step, master);
                    pruned = true; // a checkpoint now, so a resumed run replays exactly the rounds it had
                }
                if (pruned || (step + 1) % every == 0 || step + 1 == steps) {
                    log(step, recent, recentSteps, began);
                    Arrays.fill(recent, 0);
                    recentSteps = 0;
                    ObjectNode progress = Json.MAPPER.createObjectNode();
                    progress.put("settings", fingerprint());
                    progress.put("rounds", rounds);
                    SupernetCheckpoint.write(fs, checkpoints, step, master, optimizers, progress);
                }
            }
            summaries.close();
            TrainStep.forget(replicaKey);
            seconds = (System.nanoTime() - began) / 1e9;
        }

        private void log(long step, double[] recent, int count, long began) {
            double elapsed = (System.nanoTime() - began) / 1e9;
            double perSecond = (step + 1 - start) / Math.max(1e-9, elapsed);
            double eta = (steps - step - 1) / Math.max(1e-9, perSecond);
            StringBuilder losses = new StringBuilder();
            for (int n = 0; n < recent.length; n++) {
                losses.append(n == 0 ? "" : ", ").append(String.format("%.4f", recent[n] / count));
            }
            LOG.info(String.format("train-blocks: step %d/%d, block losses [%s], %.2f steps/s, ETA %d:%02d, %d KB shipped per step",
                    step + 1, steps, losses, perSecond, (long) eta / 60, (long) eta % 60, bytesPerStep() / 1024));
        }

        long bytesPerStep() {
            return shipped == 0 ? 0 : (weightBytes + gradientBytes) / shipped;
        }
    }

    private static BlockPath[][] probes(SearchSpace space, int blocks, int count, long seed) {
        BlockPath[][] probes = new BlockPath[blocks][count];
        Random random = new Random(seed ^ 0x5DEECE66DL);
        for (int n = 0; n < blocks; n++) {
            for (int p = 0; p < count; p++) {
                probes[n][p] = space.sample(random);
            }
        }
        return probes;
    }

    /** Held-out block losses of the probe paths, plus copy-the-input, per block: [block][path..., copy]. */
    static double[][] evaluate(JavaSparkContext jsc, SupernetPlan plan, SupernetBlock[] master, JavaRDD<TrainingRow> heldOut,
                               BlockPath[][] paths) {
        List<Map<String, float[]>> weights = new ArrayList<>();
        for (int n = 0; n < plan.blocks; n++) {
            Map<String, float[]> groups = new LinkedHashMap<>();
            SupernetBlock block = master[n];
            for (BlockPath p : paths[n]) {
                for (String g : block.groupsOf(p)) {
                    groups.computeIfAbsent(g, k -> block.flatten(k, false));
                }
            }
            weights.add(groups);
        }
        Broadcast<List<Map<String, float[]>>> shared = jsc.broadcast(weights);
        double[][] sums = heldOut.mapPartitionsWithIndex(new PathLosses(plan, shared, paths, 16), true)
                .reduce(PathLosses::add);
        shared.destroy();
        double[][] means = new double[plan.blocks][];
        for (int n = 0; n < plan.blocks; n++) {
            double elements = sums[n][sums[n].length - 1];
            means[n] = new double[sums[n].length - 1];
            for (int i = 0; i < means[n].length; i++) {
                means[n][i] = sums[n][i] / Math.max(1, elements);
            }
        }
        return means;
    }

    private static ArrayNode evaluation(BlockPath[][] probes, double[][] before, double[][] after) {
        ArrayNode blocks = Json.MAPPER.createArrayNode();
        for (int n = 0; n < probes.length; n++) {
            ObjectNode b = blocks.addObject();
            int paths = probes[n].length;
            double copy = after[n][paths];
            b.put("copy_input_loss", copy);
            double sumBefore = 0;
            double sumAfter = 0;
            int beatCopy = 0;
            ArrayNode list = b.putArray("paths");
            for (int p = 0; p < paths; p++) {
                ObjectNode e = list.addObject();
                e.put("path", probes[n][p].toString());
                if (before != null) {
                    e.put("loss_at_init", before[n][p]);
                    sumBefore += before[n][p];
                }
                e.put("loss", after[n][p]);
                sumAfter += after[n][p];
                beatCopy += after[n][p] < copy ? 1 : 0;
            }
            if (before != null) {
                b.put("mean_loss_at_init", sumBefore / paths);
            }
            b.put("mean_loss", sumAfter / paths);
            b.put("paths_beating_copy_input", beatCopy);
            b.put("paths_evaluated", paths);
        }
        return blocks;
    }

    private static Map<String, Object> describe(SearchSpace space) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("hidden_sizes", space.hiddenSizes());
        m.put("operations", space.operations().toString());
        m.put("layers_per_block", space.layersPerBlock());
        m.put("candidates_per_layer", space.candidatesPerLayer());
        m.put("paths_per_block", space.pathsPerBlock());
        return m;
    }

    private static void writeWeights(StageOutput output, SupernetBlock[] master) throws IOException {
        List<WeightTensor> weights = new ArrayList<>();
        for (int n = 0; n < master.length; n++) {
            for (String g : master[n].groupNames()) {
                float[] values = master[n].flatten(g, false);
                weights.add(new WeightTensor("b" + n + "/" + g, new int[]{values.length}, values));
            }
        }
        try (FSDataOutputStream out = output.fileSystem().create(new Path(output.temp(), "weights.safetensors"))) {
            SafeTensors.write(weights, null, false, out);
        }
    }

    private static void copyHistory(StageContext context, StageOutput output) throws IOException {
        Path from = new Path(context.run().path(CHECKPOINTS), ShrinkingRounds.DIR);
        FileSystem fs = context.run().fileSystem();
        if (fs.exists(from)) {
            FileUtil.copy(fs, from, output.fileSystem(), new Path(output.temp(), ShrinkingRounds.DIR), false, context.hadoopConf());
        }
    }

    private static void copyTensorBoard(StageContext context, StageOutput output) throws IOException {
        Path from = new Path(context.run().path(CHECKPOINTS), "tensorboard");
        FileSystem fs = context.run().fileSystem();
        if (fs.exists(from)) {
            FileUtil.copy(fs, from, output.fileSystem(), new Path(output.temp(), "tensorboard"), false, context.hadoopConf());
        }
    }
}
