package org.nasbert.jobs.trainblocks;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.nasbert.io.Sha256;
import org.nasbert.latency.LatencyTable;
import org.nasbert.space.BlockPath;
import org.nasbert.spark.OrderedReduce;
import org.nasbert.stage.CheckpointKey;
import org.nasbert.stage.StageContext;
import org.nasbert.stats.Bootstrap;
import org.nasbert.supernet.GroupOptimizer;
import org.nasbert.supernet.LossCurves;
import org.nasbert.supernet.SupernetBlock;
import org.nasbert.supernet.SupernetSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/** The driver side of training: master weights, optimiser states, the step loop, checkpoints. */
final class SupernetTraining {
    private static final Logger LOG = LoggerFactory.getLogger(SupernetTraining.class);

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
    /** Each step's wall time after the first (sampling, the Spark job, the update; not pruning or checkpoints), in s. */
    private final List<Double> stepSeconds = new ArrayList<>();
    long weightBytes;
    long gradientBytes;
    long shipped;

    SupernetTraining(StageContext context, SupernetPlan plan, JavaRDD<TrainingRow> rows, int partitions, ShrinkingRounds shrinking,
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
        this.checkpoints = context.run().path(TrainBlocksStage.CHECKPOINTS);
        this.fs = context.run().fileSystem();
        this.replicaKey = "train-blocks-" + System.nanoTime();
        this.start = 0;
        resume();
    }

    /** Every setting but the interval, and the latency table: pruning bins paths by it, another table means other bins. */
    private CheckpointKey key() {
        return CheckpointKey.of(context, new TrainBlocksStage().settings(), SupernetSettings.CHECKPOINT_EVERY)
                .with("latency", Sha256.hex(table.toJson().getBytes(StandardCharsets.UTF_8)));
    }

    private void resume() throws IOException {
        if (!key().keepOnly(context, checkpoints)) {
            LOG.warn("train-blocks: checkpoints in {} were made with other settings; starting afresh", checkpoints);
            return;
        }
        Path latest = SupernetCheckpoint.latest(fs, checkpoints);
        if (latest == null) {
            return;
        }
        SupernetCheckpoint.Progress progress = SupernetCheckpoint.progress(fs, latest);
        SupernetCheckpoint.restore(fs, latest, master, optimizers);
        start = progress.step + 1;
        resumedFrom = progress.step;
        rounds = progress.rounds;
        shrinking.replay(rounds);
    }

    void run() throws IOException {
        long began = System.nanoTime();
        double lr = context.get(SupernetSettings.LEARNING_RATE);
        int warmup = context.get(SupernetSettings.WARMUP_STEPS);
        int every = context.get(SupernetSettings.CHECKPOINT_EVERY);
        double[] recent = new double[plan.blocks];
        int recentSteps = 0;
        LossCurves summaries = new LossCurves(new Path(checkpoints, "tensorboard"), plan.blocks, context.hadoopConf());
        for (long step = start; step < steps; step++) {
            long stepBegan = System.nanoTime();
            List<List<String>> active = new ArrayList<>();
            TrainStep task = sampleStep(step, active);
            context.spark().sparkContext().setJobDescription("nasbert train-blocks: step " + (step + 1) + "/" + steps);
            StepResult result;
            try {
                // summed in partition order: the same gradients to the last bit whichever task ends first
                result = OrderedReduce.reduce(rows.mapPartitionsWithIndex(task, true), StepResult::add);
            } finally {
                task.release();
            }
            if (result.partitions == 0) {
                throw new IllegalStateException("no partition held training data");
            }
            double rate = GroupOptimizer.learningRate(lr, step, warmup, steps);
            for (int n = 0; n < plan.blocks; n++) {
                double loss = apply(n, result, active.get(n), rate);
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
            } else {
                stepSeconds.add((System.nanoTime() - stepBegan) / 1e9);
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
                SupernetCheckpoint.Progress progress = new SupernetCheckpoint.Progress();
                progress.settings = key().toString();
                progress.rounds = rounds;
                SupernetCheckpoint.write(fs, checkpoints, step, master, optimizers, progress);
            }
        }
        summaries.close();
        TrainStep.forget(replicaKey);
        seconds = (System.nanoTime() - began) / 1e9;
    }

    /** Step {@code step}'s task: each block's sampled path (seeded by step and block) and its groups' current weights. */
    private TrainStep sampleStep(long step, List<List<String>> active) {
        BlockPath[] paths = new BlockPath[plan.blocks];
        float[][][] weights = new float[plan.blocks][][];
        for (int n = 0; n < plan.blocks; n++) {
            paths[n] = shrinking.state.sample(n, new Random(plan.seed * 7919 + step * 104_729L + n));
            List<String> groups = master[n].groupsOf(paths[n]);
            active.add(groups);
            weights[n] = new float[groups.size()][];
            for (int g = 0; g < groups.size(); g++) {
                weights[n][g] = master[n].flatten(groups.get(g), false);
            }
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(context.spark().sparkContext());
        return new TrainStep(plan, replicaKey, step, rowsPerPartition, microBatch, paths, jsc.broadcast(weights));
    }

    /** Block n's gradients averaged over the partitions, one optimiser step on its active groups; returns its mean loss. */
    private double apply(int n, StepResult result, List<String> groups, double rate) {
        for (int g = 0; g < groups.size(); g++) {
            float[] grad = result.gradients[n][g];
            for (int i = 0; i < grad.length; i++) {
                grad[i] /= result.partitions;
            }
            master[n].load(groups.get(g), grad, true);
            optimizers[n].step(groups.get(g), Arrays.asList(master[n].group(groups.get(g)).parameters()._1()),
                    Arrays.asList(master[n].group(groups.get(g)).parameters()._2()), rate);
        }
        return result.loss[n] / result.partitions;
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

    /** The median step after the first, in seconds (0 with fewer than two steps): throughput without start-up or pruning. */
    double medianStepSeconds() {
        double[] sorted = stepSeconds.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return sorted.length == 0 ? 0 : Bootstrap.percentile(sorted, 50);
    }

    long bytesPerStep() {
        return shipped == 0 ? 0 : (weightBytes + gradientBytes) / shipped;
    }
}
