package org.nasbert.jobs.trainblocks;

import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.nasbert.jobs.teacher.BoundaryStates;
import org.nasbert.jobs.teacher.TeacherSchema;
import org.nasbert.jobs.teacher.TeacherManifest;
import org.nasbert.jobs.teacher.TeacherStage;
import org.nasbert.prep.TokenizeStage;
import org.nasbert.space.SearchSpace;
import org.nasbert.stage.StageContext;
import org.nasbert.teacher.BertWeights;
import org.nasbert.teacher.TeacherCheckpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;

/**
 * What block training reads: the training and held-out rows (cached, in the stage's partitions) and the plan the
 * replicas are built from, either from the teacher stage's stored states or, when it ran on the fly, from the
 * corpus with the teacher broadcast to compute the states in the tasks (same rows, same held-out split).
 */
final class TrainingData {
    private static final Logger LOG = LoggerFactory.getLogger(TrainingData.class);
    final SupernetPlan plan;
    final JavaRDD<TrainingRow> train;
    final JavaRDD<TrainingRow> heldOut;
    final boolean stored;
    private final Broadcast<BertWeights> teacherWeights;

    private TrainingData(SupernetPlan plan, JavaRDD<TrainingRow> train, JavaRDD<TrainingRow> heldOut,
                         Broadcast<BertWeights> teacherWeights) {
        this.plan = plan;
        this.train = train;
        this.heldOut = heldOut;
        this.stored = teacherWeights == null;
        this.teacherWeights = teacherWeights;
    }

    static TrainingData read(StageContext context, TeacherManifest teacher, SearchSpace space, long seed, int partitions)
            throws IOException {
        int boundaries = teacher.boundaries.length;
        if (teacher.materialized) {
            SupernetPlan plan = new SupernetPlan(space, teacher.hiddenSize, boundaries - 1, seed, teacher.half());
            Dataset<Row> states = context.spark().read().parquet(new Path(context.run().path(TeacherStage.OUTPUT), TeacherStage.DATA).toString());
            return new TrainingData(plan,
                    cached(states.filter("NOT " + TeacherSchema.HELD_OUT).javaRDD().map(r -> TrainingRow.of(r, boundaries)), partitions),
                    cached(states.filter(TeacherSchema.HELD_OUT).javaRDD().map(r -> TrainingRow.of(r, boundaries)), partitions),
                    null);
        }
        String location = teacher.teacher.location;
        TeacherCheckpoint checkpoint = TeacherCheckpoint.open(location, context.hadoopConf());
        LOG.info("train-blocks: teacher states on the fly from {} ({} weights broadcast)", location,
                checkpoint.weights().parameterCount());
        Broadcast<BertWeights> weights = JavaSparkContext.fromSparkContext(context.spark().sparkContext())
                .broadcast(checkpoint.weights());
        int[] layers = teacher.boundaries.clone();
        SupernetPlan plan = new SupernetPlan(space, checkpoint.config().hiddenSize, boundaries - 1, seed, false, weights, layers);
        double fraction = TeacherStage.sampledFraction(teacher.sequencesWanted(),
                org.nasbert.prep.CorpusManifest.read(context.run()).count("sequences"));
        double share = teacher.heldOutShare();
        JavaRDD<Row> set = context.spark().read().parquet(new Path(context.run().path(TokenizeStage.OUTPUT), TokenizeStage.DATA)
                .toString()).javaRDD().filter(r -> BoundaryStates.inDistillationSet(r, fraction));
        return new TrainingData(plan,
                cached(set.filter(r -> !BoundaryStates.isHeldOut(r, share)).map(TrainingRow::ofTokens), partitions),
                cached(set.filter(r -> BoundaryStates.isHeldOut(r, share)).map(TrainingRow::ofTokens), partitions),
                weights);
    }

    /**
     * The rows spread over {@code partitions} and cached, each partition in the input's order (input partition, then
     * position). The steps draw rows by their place in a partition, and a shuffle hands a partition its blocks in the
     * order they arrive: on a cluster that order changes from run to run, and with it every minibatch.
     */
    static JavaRDD<TrainingRow> cached(JavaRDD<TrainingRow> data, int partitions) {
        JavaRDD<TrainingRow> rows = data.mapPartitionsWithIndex(TrainingData::numbered, true).repartition(partitions)
                .mapPartitions(TrainingData::inInputOrder, true);
        rows.persist(StorageLevel.MEMORY_AND_DISK());
        return rows;
    }

    private static Iterator<TrainingRow> numbered(Integer partition, Iterator<TrainingRow> rows) {
        return new Iterator<TrainingRow>() {
            private long position;

            @Override
            public boolean hasNext() {
                return rows.hasNext();
            }

            @Override
            public TrainingRow next() {
                return rows.next().at(partition, position++);
            }
        };
    }

    private static Iterator<TrainingRow> inInputOrder(Iterator<TrainingRow> rows) {
        List<TrainingRow> all = new ArrayList<>();
        rows.forEachRemaining(all::add);
        all.sort(Comparator.comparingLong(r -> r.order));
        return all.iterator();
    }

    /** Uncaches the rows and drops the broadcast teacher (this JVM's teachers with it; executors' go with the application). */
    void release() {
        train.unpersist();
        heldOut.unpersist();
        if (teacherWeights != null) {
            SupernetPlan.forgetTeachers(teacherWeights.id());
            teacherWeights.destroy();
        }
    }
}
