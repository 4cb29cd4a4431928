package org.nasbert.jobs.trainblocks;

import org.nasbert.prep.CorpusManifest;
import org.nasbert.stage.MemoryNeed;
import org.nasbert.stage.ModelMemory;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.nasbert.NasbertException;
import org.nasbert.engine.BigDl;
import org.nasbert.jobs.teacher.TeacherManifest;
import org.nasbert.space.Architecture;
import org.nasbert.space.BlockPath;
import org.nasbert.space.SearchSpace;
import org.nasbert.stage.StageContext;
import org.nasbert.supernet.BlockChain;
import org.nasbert.supernet.SupernetBlock;
import org.nasbert.teacher.checkpoint.SafeTensors;
import org.nasbert.teacher.checkpoint.WeightTensor;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Whole students scored with the trained supernet's weights, for the search: each architecture's blocks chained
 * from the teacher's embeddings on held-out sequences, against the teacher's last hidden state. The space, seed
 * and weights are the finished train-blocks output's, whatever the current settings say.
 */
public final class SupernetEvaluator implements AutoCloseable {
    private final JavaSparkContext jsc;
    private final TrainingData data;
    private final SupernetBlock[] master;
    private final Broadcast<List<TrainingRow>> rows;
    private final int batchSize;

    private SupernetEvaluator(JavaSparkContext jsc, TrainingData data, SupernetBlock[] master, List<TrainingRow> rows, int batchSize) {
        this.jsc = jsc;
        this.data = data;
        this.master = master;
        this.rows = jsc.broadcast(rows);
        this.batchSize = batchSize;
    }

    /**
     * What scoring with the trained supernet holds, added to {@code need}: the supernet on the driver with its broadcast
     * copy, the broadcast in each executor and a forward-only copy per running task; with states on the fly, the
     * teacher's weights (and broadcast copy) and each task's teacher forward pass of a micro-batch.
     */
    public static MemoryNeed memoryNeed(StageContext context, MemoryNeed need) throws IOException {
        TeacherManifest teacher = TeacherManifest.read(context.run());
        SupernetManifest trained = SupernetManifest.read(context.run());
        long copy = ModelMemory.weights(teacher.blocks() * SupernetBlock.parameterCount(trained.space(), teacher.width()));
        int tasks = ModelMemory.tasksAtOnce(context.spark().sparkContext().getConf());
        String scoring = tasks + " task(s)' forward-only copies of the supernet";
        need.driver("the trained supernet and its broadcast copy", 2 * copy)
                .executor("the supernet's broadcast and " + scoring, copy + tasks * copy)
                .local(scoring, tasks * copy);
        return teacherOnTheFly(context, teacher, trained.microBatch(), tasks, tasks, need);
    }

    /**
     * With states on the fly (train-blocks, scoring), added to {@code need}: the teacher's weights and their broadcast copy,
     * and each running task's teacher forward pass of a micro-batch ({@code executorTasks} per executor, {@code localTasks}
     * in local mode). Stored states add nothing.
     */
    static MemoryNeed teacherOnTheFly(StageContext context, TeacherManifest teacher, int microBatch, int executorTasks, int localTasks,
                                      MemoryNeed need) throws IOException {
        if (teacher.materialized) {
            return need;
        }
        long weights = ModelMemory.weights(teacher.teacher.parameters);
        long forward = ModelMemory.inference(microBatch, CorpusManifest.read(context.run()).maxSeqLen, teacher.teacher.sizes(),
                teacher.boundaries.length);
        return need.driver("the teacher's weights and their broadcast copy", 2 * weights)
                .executor("the teacher's weights and " + executorTasks + " task(s)' teacher forward passes", weights + executorTasks * forward)
                .local(localTasks + " task(s)' teacher forward passes", localTasks * forward);
    }

    /** The run's trained supernet and the first {@code sequences} held-out sequences. */
    public static SupernetEvaluator open(StageContext context, int sequences) throws IOException {
        Path dir = context.run().requireComplete(TrainBlocksStage.OUTPUT, "train-blocks");
        SupernetManifest trained = SupernetManifest.read(context.run());
        SearchSpace space = trained.space();
        long seed = trained.seed();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(context.spark().sparkContext());
        BigDl.init(context.spark().sparkContext());
        TrainingData data = TrainingData.read(context, TeacherManifest.read(context.run()), space, seed,
                jsc.defaultParallelism());
        SupernetBlock[] master = load(context, dir, data.plan.build());
        List<TrainingRow> rows = data.heldOut.take(sequences);
        if (rows.isEmpty()) {
            throw new NasbertException("the teacher stage's output has no held-out sequences to evaluate students on (teacher.held-out)");
        }
        return new SupernetEvaluator(jsc, data, master, rows, trained.microBatch());
    }

    /** The run's trained supernet with its weights, built on the driver (students inherit from it). */
    public static SupernetBlock[] trainedSupernet(StageContext context) throws IOException {
        Path dir = context.run().requireComplete(TrainBlocksStage.OUTPUT, "train-blocks");
        SupernetManifest trained = SupernetManifest.read(context.run());
        TeacherManifest teacher = TeacherManifest.read(context.run());
        SupernetPlan plan = new SupernetPlan(trained.space(), teacher.width(), teacher.blocks(), trained.seed(), false);
        return load(context, dir, plan.build());
    }

    private static SupernetBlock[] load(StageContext context, Path dir, SupernetBlock[] master) throws IOException {
        Path weights = new Path(dir, "weights.safetensors");
        Map<String, WeightTensor> tensors = SafeTensors.read(context.run().fileSystem(), weights);
        for (int n = 0; n < master.length; n++) {
            for (String g : master[n].groupNames()) {
                WeightTensor t = tensors.get("b" + n + "/" + g);
                if (t == null) {
                    throw new NasbertException(weights + " lacks b" + n + "/" + g + "; it does not belong to this run's space; "
                            + "rerun 'bin/nasbert train-blocks --force'");
                }
                master[n].load(g, t.data(), false);
            }
        }
        return master;
    }

    public int blocks() {
        return master.length;
    }

    public int sequences() {
        return rows.value().size();
    }

    /** Each student's loss per element against the teacher's last hidden state, in the given order. */
    public double[] wholeModelLosses(List<Architecture> students) {
        List<BlockChain> chains = new ArrayList<>();
        for (Architecture a : students) {
            List<BlockPath> paths = a.blocks();
            if (paths.size() != master.length) {
                throw new NasbertException("architecture " + a + " has " + paths.size() + " blocks, the supernet " + master.length);
            }
            chains.add(new BlockChain(0, paths));
        }
        return PathScores.score(jsc, data.plan, master, chains, rows, batchSize);
    }

    @Override
    public void close() {
        PathScores.forget(rows.id());
        rows.destroy();
        data.release();
    }
}
