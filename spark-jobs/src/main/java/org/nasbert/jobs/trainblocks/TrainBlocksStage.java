package org.nasbert.jobs.trainblocks;

import org.nasbert.prep.TokenizeStage;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.nasbert.NasbertException;
import org.nasbert.conf.Setting;
import org.nasbert.engine.BigDl;
import org.nasbert.io.Json;
import org.nasbert.io.StageOutput;
import org.nasbert.jobs.latency.LatencyStage;
import org.nasbert.jobs.teacher.TeacherManifest;
import org.nasbert.jobs.teacher.TeacherStage;
import org.nasbert.latency.LatencyTable;
import org.nasbert.prune.PruneSettings;
import org.nasbert.space.BlockPath;
import org.nasbert.space.SearchSpace;
import org.nasbert.space.StudentSize;
import org.nasbert.stage.Manifest;
import org.nasbert.stage.MemoryNeed;
import org.nasbert.stage.ModelMemory;
import org.nasbert.stage.Stage;
import org.nasbert.stage.StageContext;
import org.nasbert.supernet.SupernetBlock;
import org.nasbert.supernet.SupernetSettings;
import org.nasbert.teacher.checkpoint.SafeTensors;
import org.nasbert.teacher.checkpoint.WeightTensor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * train-blocks: every block of the supernet learns, in parallel, to map the teacher's state at its input
 * boundary to the one at its output (MSE), one sampled path per block per step. Path-sparse on Spark's own
 * primitives: replicas live in the executors (built once per partition from the plan), each step ships only
 * the sampled paths' weights, the partitions' gradients of those groups come back summed in partition order
 * ({@link org.nasbert.spark.OrderedReduce}), and the driver applies Adam per parameter tensor. Checkpoints go to {@code <run>/_checkpoints-supernet/}
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
    public List<Stage> inputs() {
        return Arrays.asList(new TokenizeStage(), new TeacherStage(), new LatencyStage());
    }

    @Override
    public Class<SupernetManifest> manifestType() {
        return SupernetManifest.class;
    }

    /**
     * The driver holds the supernet's master weights and Adam's two moments; each partition a replica with its
     * gradients, kept for the whole training (local mode: every partition's in the one JVM). Scoring paths (shrinking's
     * rounds, the candidates) adds a broadcast copy of the weights per JVM and a forward-only copy per running task.
     */
    @Override
    public MemoryNeed memoryNeed(StageContext context) throws Exception {
        TeacherManifest teacher = TeacherManifest.read(context.run());
        long copy = 4L * teacher.blocks() * SupernetBlock.parameterCount(SupernetSettings.space(context.settings()), teacher.width());
        org.apache.spark.SparkContext sc = context.spark().sparkContext();
        int partitions = context.get(SupernetSettings.PARTITIONS) == 0 ? sc.defaultParallelism() : context.get(SupernetSettings.PARTITIONS);
        int executors = Math.max(1, sc.getConf().getInt("spark.executor.instances", 2));
        int perExecutor = (partitions + executors - 1) / executors;
        MemoryNeed need = new MemoryNeed()
                .driver("the supernet's weights and Adam's two moments", 3 * copy)
                .executor(perExecutor + " supernet replica(s) with gradients, and for scoring one weights broadcast and "
                        + perExecutor + " forward-only copies", perExecutor * 2 * copy + copy + perExecutor * copy)
                .local(partitions + " supernet replica(s) with gradients, and for scoring one weights broadcast and "
                        + partitions + " forward-only copies", partitions * 2 * copy + copy + partitions * copy);
        int tasks = ModelMemory.tasksAtOnce(sc.getConf());
        return SupernetEvaluator.teacherOnTheFly(context, teacher, context.get(SupernetSettings.MICRO_BATCH),
                Math.min(perExecutor, tasks), Math.min(partitions, tasks), need);
    }

    @Override
    public Manifest run(StageContext context, StageOutput output) throws Exception {
        LatencyTable table = LatencyStage.readTable(context);
        TeacherManifest teacher = TeacherManifest.read(context.run());
        SearchSpace space = SupernetSettings.space(context.settings());
        requireTableCovers(table, space);
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
        int stepsPerEpoch = stepsPerEpoch(context, trainRows);
        int warmupEpochs = context.get(PruneSettings.WARMUP_EPOCHS);
        int roundsNeeded = shrinking.roundsLeft();
        long steps = context.get(SupernetSettings.STEPS) > 0 ? context.get(SupernetSettings.STEPS)
                : (long) (warmupEpochs + roundsNeeded) * stepsPerEpoch;
        LOG.info("train-blocks: shrinking over {} bins: {} of {} paths per block fit a bin; {} warm-up epochs + {} rounds of "
                        + "{} steps -> {} steps", context.get(PruneSettings.BINS), shrinking.state.survivors(0).size(),
                shrinking.state.pathsPerBlock(), warmupEpochs, roundsNeeded, stepsPerEpoch, steps);
        warnIfShrinkingCut(context, shrinking, steps, stepsPerEpoch, warmupEpochs, roundsNeeded);
        SupernetTraining training = new SupernetTraining(context, plan, train, partitions, shrinking, steps, stepsPerEpoch, warmupEpochs,
                table);
        BlockPath[][] probes = ProbeEvaluation.probes(space, plan.blocks, context.get(SupernetSettings.EVAL_PATHS), seed);
        double[][] before = training.resumedFrom == null ? ProbeEvaluation.evaluate(jsc, plan, training.master, heldOut, probes) : null;
        training.run();
        double[][] after = ProbeEvaluation.evaluate(jsc, plan, training.master, heldOut, probes);
        CandidatesFile candidates = shrinking.candidates(training.master);
        shrinking.release();
        data.release();
        writeOutput(context, output, candidates, training.master);
        SupernetManifest manifest = new SupernetManifest();
        manifest.space = describe(space);
        manifest.blocks = plan.blocks;
        manifest.teacherStates = data.stored ? "stored" : "on-the-fly";
        manifest.steps = steps;
        manifest.stepsPerEpoch = stepsPerEpoch;
        manifest.shrinking = shrinkingSummary(context, shrinking, candidates, training.rounds, roundsNeeded);
        manifest.resumedFromStep = training.resumedFrom;
        manifest.trainingSequences = trainRows;
        manifest.heldOutSequences = heldOutRows;
        manifest.partitions = partitions;
        manifest.secondsTraining = training.seconds;
        manifest.secondsFirstStep = training.firstStepSeconds;
        manifest.secondsPerStepMedian = training.medianStepSeconds();
        manifest.bytesPerStep = training.bytesPerStep();
        manifest.evaluation = ProbeEvaluation.evaluation(probes, before, after);
        return manifest;
    }

    /**
     * Steps that end before shrinking does leave the final scoring every path still alive: said before training, with
     * the count, so a setting that means hours of scoring is not found out by waiting.
     */
    private static void warnIfShrinkingCut(StageContext context, ShrinkingRounds shrinking, long steps, int stepsPerEpoch,
                                           int warmupEpochs, int roundsNeeded) {
        int roundsRun = (int) Math.min(roundsNeeded, Math.max(0, steps / stepsPerEpoch - warmupEpochs));
        if (roundsRun >= roundsNeeded) {
            return;
        }
        int sample = context.get(PruneSettings.SAMPLE);
        int keep = context.get(PruneSettings.KEEP);
        long alive = shrinking.state.survivorsAfter(roundsRun, sample, keep, Integer.MAX_VALUE);
        long scored = shrinking.state.survivorsAfter(roundsRun, sample, keep, Math.max(sample, keep));
        long full = shrinking.state.survivorsAfter(roundsNeeded, sample, keep, Integer.MAX_VALUE);
        LOG.warn("train-blocks: supernet.steps = {} runs {} of the {} shrinking rounds ({} warm-up epochs + rounds of {} steps): {} "
                        + "paths will still be alive instead of {}, and the candidates are a sample of prune.sample = {} per bin of "
                        + "them ({} paths scored); for the whole plan set supernet.steps = 0 or {}", steps, roundsRun, roundsNeeded,
                warmupEpochs, stepsPerEpoch, alive, full, sample, scored, (long) (warmupEpochs + roundsNeeded) * stepsPerEpoch);
    }

    /** supernet.steps-per-epoch, or (0) the steps one pass over the training rows takes at supernet.batch-size. */
    private static int stepsPerEpoch(StageContext context, long trainRows) {
        int batch = context.get(SupernetSettings.BATCH_SIZE);
        return context.get(SupernetSettings.STEPS_PER_EPOCH) > 0 ? context.get(SupernetSettings.STEPS_PER_EPOCH)
                : (int) Math.max(1, (trainRows + batch - 1) / batch);
    }

    /** Shrinking bins paths by latency: the table must time every part of the space. */
    private static void requireTableCovers(LatencyTable table, SearchSpace space) {
        List<String> missing = table.missing(space, StudentSize.BLOCK_0); // the embedding size is the search's concern
        if (!missing.isEmpty()) {
            throw new NasbertException("the run's latency table lacks " + missing.size() + " parts of this search space, e.g. "
                    + missing.subList(0, Math.min(5, missing.size())) + "; shrinking bins paths by latency, so rerun "
                    + "'bin/nasbert latency --force' with the same supernet.hidden-sizes and supernet.kernels");
        }
    }

    /** The candidates, shrinking's history, the weights and the loss curves into the output; then the checkpoints go. */
    private static void writeOutput(StageContext context, StageOutput output, CandidatesFile candidates, SupernetBlock[] master)
            throws IOException {
        SupernetCheckpoint.writeJson(output.fileSystem(), new Path(output.temp(), CANDIDATES), Json.MAPPER.valueToTree(candidates));
        copyHistory(context, output);
        writeWeights(output, master);
        copyTensorBoard(context, output);
        // everything a rerun could resume from is in the output now; the checkpoints (weights and Adam's moments) would
        // only take disk space, and make a --force rerun "resume" at the last step instead of training again
        context.run().fileSystem().delete(context.run().path(CHECKPOINTS), true);
    }

    private static SupernetManifest.Shrinking shrinkingSummary(StageContext context, ShrinkingRounds shrinking, CandidatesFile candidates,
                                                               int rounds, int needed) {
        SupernetManifest.Shrinking m = new SupernetManifest.Shrinking();
        m.bins = context.get(PruneSettings.BINS);
        m.sample = context.get(PruneSettings.SAMPLE);
        m.keep = context.get(PruneSettings.KEEP);
        m.warmupEpochs = context.get(PruneSettings.WARMUP_EPOCHS);
        m.evalSequences = context.get(PruneSettings.EVAL_SEQUENCES);
        m.pathsPerBlock = shrinking.state.pathsPerBlock();
        m.deletedOutsideBins = shrinking.state.deletedOutsideBins();
        m.rounds = rounds;
        m.finished = rounds >= needed;
        for (CandidatesFile.Block block : candidates.blocks) { // a plan cut short: the scored sample, not every survivor
            m.candidatesPerBlock.add(block.candidates.size());
        }
        m.secondsScoring = shrinking.secondsScoring;
        m.candidates = CANDIDATES;
        m.history = ShrinkingRounds.DIR;
        return m;
    }

    private static SupernetManifest.Space describe(SearchSpace space) {
        SupernetManifest.Space m = new SupernetManifest.Space();
        m.hiddenSizes = space.hiddenSizes();
        m.operations = space.operations().toString();
        m.layersPerBlock = space.layersPerBlock();
        m.candidatesPerLayer = space.candidatesPerLayer();
        m.pathsPerBlock = space.pathsPerBlock();
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
