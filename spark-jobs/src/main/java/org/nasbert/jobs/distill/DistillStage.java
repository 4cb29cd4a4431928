package org.nasbert.jobs.distill;

import org.nasbert.jobs.trainblocks.TrainBlocksStage;
import org.nasbert.jobs.latency.LatencyStage;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.nasbert.conf.Setting;
import org.nasbert.engine.BigDl;
import org.nasbert.io.StageOutput;
import org.nasbert.jobs.search.SearchStage;
import org.nasbert.jobs.teacher.BoundaryStates;
import org.nasbert.jobs.teacher.TeacherSchema;
import org.nasbert.jobs.teacher.TeacherManifest;
import org.nasbert.jobs.teacher.TeacherStage;
import org.nasbert.prep.TokenizeStage;
import org.nasbert.space.Architecture;
import org.nasbert.space.StudentSize;
import org.nasbert.spark.PerModelTasks;
import org.nasbert.stage.CheckpointKey;
import org.nasbert.stage.Manifest;
import org.nasbert.stage.MemoryNeed;
import org.nasbert.stage.Stage;
import org.nasbert.stage.StageContext;
import org.nasbert.student.Baselines;
import org.nasbert.student.DistillSettings;
import org.nasbert.student.StudentExport;
import org.nasbert.student.StudentModel;
import org.nasbert.teacher.BertModel;
import org.nasbert.teacher.BertWeights;
import org.nasbert.teacher.TeacherCheckpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;

/**
 * distill: each student the search chose, and (distill.baselines) a uniform BERT-style baseline at each parameter
 * budget, learns the teacher's last hidden state on the distillation sequences by one recipe. Students are small and
 * independent, so the stage spreads them over the cluster one task each (the sequences broadcast once) rather than
 * splitting each student's batch. Output {@code <run>/students/<name>/} (StudentExport's directory) and a manifest
 * with each student's held-out distillation loss before and after.
 */
public final class DistillStage implements Stage {
    public static final String OUTPUT = "students";
    static final String CHECKPOINTS = "_checkpoints-distill";
    /** Between the constraints one student stands for (search.constraint's own separator, so never inside one). */
    public static final String CONSTRAINTS_SEPARATOR = ";";
    /** A baseline's manifest field: per constraint it stands for, what it matches the searched student in (parameters or latency). */
    public static final String BASELINE_FOR = "baseline_for";
    /** Inside CHECKPOINTS: each student's inherited starting weights. */
    static final String INITIAL = "_initial";
    private static final Logger LOG = LoggerFactory.getLogger(DistillStage.class);
    /** The sequence length at which the students' arithmetic is compared to start the costliest tasks first. */
    public static final int COST_SEQUENCE = 128;

    @Override
    public String name() {
        return "distill";
    }

    @Override
    public String summary() {
        return "task-agnostic distillation of the chosen students and same-budget baselines -> <run>/students";
    }

    @Override
    public String output() {
        return OUTPUT;
    }

    @Override
    public List<Setting<?>> settings() {
        return Arrays.asList(DistillSettings.OBJECTIVE, DistillSettings.MASK_PROBABILITY, DistillSettings.TEMPERATURE,
                DistillSettings.STEPS, DistillSettings.BATCH_SIZE, DistillSettings.LEARNING_RATE, DistillSettings.INIT,
                DistillSettings.BASELINES, DistillSettings.EVAL_SEQUENCES, DistillSettings.CHECKPOINT_EVERY, DistillSettings.SEED);
    }

    @Override
    public List<Stage> inputs() {
        return Arrays.asList(new TokenizeStage(), new TeacherStage(), new LatencyStage(), new TrainBlocksStage(), new SearchStage());
    }

    /** One student to train: its name, kind, architecture and the width of its embedding tables. */
    public static final class Job implements Serializable {
        private static final long serialVersionUID = 1L;
        public final String name;
        public final String kind;
        public final String constraint;
        /** A baseline's role per constraint (';'-separated like them): parameters or latency; empty for other kinds. */
        public final String roles;
        public final Architecture architecture;
        public final int embeddingSize;

        public Job(String name, String kind, String constraint, Architecture architecture, int embeddingSize) {
            this(name, kind, constraint, "", architecture, embeddingSize);
        }

        Job(String name, String kind, String constraint, String roles, Architecture architecture, int embeddingSize) {
            this.name = name;
            this.kind = kind;
            this.constraint = constraint;
            this.roles = roles;
            this.architecture = architecture;
            this.embeddingSize = embeddingSize;
        }
    }

    @Override
    public Class<StudentsManifest> manifestType() {
        return StudentsManifest.class;
    }

    @Override
    public MemoryNeed memoryNeed(StageContext context) throws Exception {
        TeacherManifest teacher = TeacherManifest.read(context.run());
        return DistillMemory.of(context, DistillJobs.of(context, new Path(context.run().path(SearchStage.OUTPUT), SearchStage.PARETO),
                teacher.teacher), "inherited".equals(context.get(DistillSettings.INIT)));
    }

    @Override
    public Manifest run(StageContext context, StageOutput output) throws Exception {
        Path pareto = new Path(context.run().path(SearchStage.OUTPUT), SearchStage.PARETO);
        TeacherManifest teacher = TeacherManifest.read(context.run());
        List<Job> jobs = DistillJobs.of(context, pareto, teacher.teacher);
        int width = teacher.width();
        boolean maskedLm = maskedLm(context, teacher.teacher);
        boolean inherited = "inherited".equals(context.get(DistillSettings.INIT));
        keepCheckpointsOnlyFor(context, settings(), jobs, checkpoints(context), name());
        if (inherited) {
            writeInherited(context, jobs, new Path(checkpoints(context), INITIAL), maskedLm);
            for (Job j : jobs) {
                if ("searched".equals(j.kind) && j.embeddingSize != width) {
                    LOG.warn("distill: {} = inherited: {} takes the teacher's {}-wide embedding tables, not the {} the search counted; "
                            + "its manifest entry gives the real size", DistillSettings.INIT.key(), j.name, width, j.embeddingSize);
                }
            }
        }
        Trained trained = train(context, name(), jobs, output.temp(), checkpoints(context), inherited ? "inherited" : "fresh");
        context.run().fileSystem().delete(checkpoints(context), true); // every student is exported: nothing left to resume
        StudentsManifest manifest = new StudentsManifest();
        for (int i = 0; i < jobs.size(); i++) {
            Job j = jobs.get(i);
            double[] r = trained.results.get(i);
            StudentsManifest.Student m = new StudentsManifest.Student();
            m.name = j.name;
            m.kind = j.kind;
            m.constraint = j.constraint;
            if (!j.roles.isEmpty()) {
                m.baselineFor = Arrays.asList(j.roles.split(CONSTRAINTS_SEPARATOR));
            }
            m.architecture = j.architecture.toString();
            boolean inheritedEmbeddings = inherited && "searched".equals(j.kind);
            m.embeddingSize = inheritedEmbeddings ? width : j.embeddingSize; // an inherited student has the teacher's table
            m.init = "searched".equals(j.kind) ? context.get(DistillSettings.INIT) : "fresh";
            m.parameters = StudentSize.BERT.withFfnRatio(trained.ffnRatio).withEmbeddingSize(m.embeddingSize).parameters(j.architecture);
            m.heldOutLossAtInit = r[0];
            m.heldOutLoss = r[1];
            m.seconds = r[2];
            if (r[3] > 0) {
                m.resumedFromStep = (long) r[3]; // seconds count from there
            }
            manifest.students.add(m);
        }
        manifest.objective = trained.maskedLm ? "masked-lm" : "hidden-states";
        manifest.loss = lossDescription(trained.maskedLm);
        manifest.trainingSequences = trained.trainingSequences;
        manifest.heldOutSequences = trained.heldOutSequences;
        return manifest;
    }

    /** What a held-out distillation loss of this stage means. */
    public static String lossDescription(boolean maskedLm) {
        return maskedLm ? "T^2 KL(teacher || student) of the masked-LM distributions, mean over the masked places of the "
                + "held-out sequences (masked the same way for every student)" : "mean squared error per element between the student's "
                + "last hidden state (projected to the teacher's width) and the teacher's, held-out sequences";
    }

    /** What {@link #train} did: per job, held-out loss before and after, seconds and the step resumed from; the data's sizes. */
    public static final class Trained {
        public final List<double[]> results;
        public final int trainingSequences;
        public final int heldOutSequences;
        public final int ffnRatio;
        public final boolean maskedLm;

        Trained(List<double[]> results, int trainingSequences, int heldOutSequences, int ffnRatio, boolean maskedLm) {
            this.results = results;
            this.trainingSequences = trainingSequences;
            this.heldOutSequences = heldOutSequences;
            this.ffnRatio = ffnRatio;
            this.maskedLm = maskedLm;
        }
    }

    /**
     * Distils every job by the distill.* recipe on the run's distillation sequences, one Spark task per student, each
     * exported to {@code <outputDir>/<name>} and checkpointed under {@code <checkpoints>/<name>} (a rerun resumes). A job
     * with {@code <checkpoints>/_initial/<name>} starts from those weights, any other from fresh ones.
     */
    public static Trained train(StageContext context, String stage, List<Job> jobs, Path outputDir, Path checkpoints, String init) throws java.io.IOException {
        TeacherManifest teacher = TeacherManifest.read(context.run());
        int last = teacher.blocks();
        int width = teacher.width();
        boolean materialized = teacher.materialized;
        boolean half = teacher.half();
        boolean maskedLm = maskedLm(context, teacher.teacher);
        List<DistillRow> train;
        List<DistillRow> heldOut;
        if (materialized && !maskedLm) {
            Dataset<Row> states = context.spark().read().parquet(new Path(context.run().path(TeacherStage.OUTPUT), TeacherStage.DATA).toString());
            train = states.filter("NOT " + TeacherSchema.HELD_OUT).javaRDD().map(r -> DistillRow.of(r, last)).collect();
            heldOut = states.filter(TeacherSchema.HELD_OUT).javaRDD().map(r -> DistillRow.of(r, last))
                    .take(context.get(DistillSettings.EVAL_SEQUENCES));
        } else {
            // the sequences the teacher stage stored (or would have); each task asks the teacher as it trains
            double fraction = TeacherStage.sampledFraction(teacher.sequencesWanted(),
                    org.nasbert.prep.CorpusManifest.read(context.run()).count("sequences"));
            double share = teacher.heldOutShare();
            JavaRDD<Row> set = context.spark().read().parquet(new Path(context.run().path(TokenizeStage.OUTPUT), TokenizeStage.DATA)
                    .toString()).javaRDD().filter(r -> BoundaryStates.inDistillationSet(r, fraction));
            train = set.filter(r -> !BoundaryStates.isHeldOut(r, share)).map(DistillRow::ofTokens).collect();
            heldOut = set.filter(r -> BoundaryStates.isHeldOut(r, share)).map(DistillRow::ofTokens)
                    .take(context.get(DistillSettings.EVAL_SEQUENCES));
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(context.spark().sparkContext());
        BigDl.init(context.spark().sparkContext());
        Broadcast<List<DistillRow>> trainRows = jsc.broadcast(train);
        Broadcast<List<DistillRow>> heldOutRows = jsc.broadcast(heldOut);
        Broadcast<BertWeights> teacherWeights = materialized && !maskedLm ? null : jsc.broadcast(TeacherCheckpoint.open(
                teacher.teacher.location, context.hadoopConf()).weights());
        DistillRecipe recipe = new DistillRecipe(context.get(DistillSettings.STEPS), context.get(DistillSettings.BATCH_SIZE),
                context.get(DistillSettings.LEARNING_RATE), context.get(DistillSettings.SEED), width, half,
                teacher.teacher.vocabSize, teacher.teacher.maxPositions,
                ffnRatio(context), outputDir.toString(), checkpoints.toString(), context.get(DistillSettings.CHECKPOINT_EVERY),
                maskedLm ? MaskedLm.of(context) : null);
        LOG.info("{}: {} students ({} weights) learn the teacher's {}; {} training and {} held-out sequences, {} steps of {} "
                + "each, one task per student", stage, jobs.size(), init,
                maskedLm ? "masked-LM outputs" : "last hidden state", train.size(), heldOut.size(), recipe.steps, recipe.batchSize);
        List<double[]> results = PerModelTasks.mapLargestFirst(jsc, "nasbert " + stage + ": distil", jobs,
                job -> job.architecture.blockFlops(recipe.ffnRatio, COST_SEQUENCE), job -> recipe.train(job,
                trainRows.value(), heldOutRows.value(), teacherWeights == null ? null : new BertModel(teacherWeights.value())));
        if (teacherWeights != null) {
            teacherWeights.destroy();
        }
        trainRows.destroy();
        heldOutRows.destroy();
        return new Trained(results, train.size(), heldOut.size(), recipe.ffnRatio, maskedLm);
    }

    /**
     * Each searched student built from the trained supernet and the teacher's embeddings (StudentModel.inherited: what the
     * search scored) and written where its task starts from; the tasks read our own export format, not serialized
     * objects. Baselines are not in the supernet and start fresh.
     */
    private static void writeInherited(StageContext context, List<Job> jobs, Path dir, boolean maskedLm) throws java.io.IOException {
        org.nasbert.supernet.SupernetBlock[] supernet = org.nasbert.jobs.trainblocks.SupernetEvaluator.trainedSupernet(context);
        org.nasbert.teacher.BertWeights teacher = org.nasbert.teacher.TeacherCheckpoint.open(
                TeacherManifest.read(context.run()).teacher.location, context.hadoopConf()).weights();
        context.run().fileSystem().delete(dir, true);
        for (Job j : jobs) {
            if (!"searched".equals(j.kind)) {
                continue; // a baseline is not a path of the supernet: nothing to inherit, it starts fresh
            }
            StudentExport.write(StudentModel.inherited(j.architecture, supernet, teacher, maskedLm), supernet[0].space().ffnRatio(), null,
                    new Path(dir, j.name), context.hadoopConf());
        }
    }

    /**
     * Checkpoints resume only the run that wrote them: a rerun with other settings or other students (a new search)
     * starts over. The key is every setting of the stage and every student's name and architecture.
     */
    public static void keepCheckpointsOnlyFor(StageContext context, List<Setting<?>> settings, List<Job> jobs, Path dir, String stage)
            throws java.io.IOException {
        CheckpointKey key = CheckpointKey.of(context, settings, DistillSettings.CHECKPOINT_EVERY);
        for (Job j : jobs) {
            key.with(j.name, j.architecture + " embeddings " + j.embeddingSize);
        }
        if (!key.keepOnly(context, dir)) {
            LOG.info("{}: {} belongs to other settings or students; starting over", stage, dir);
        }
    }

    /** Where each student's checkpoints live until the stage finishes: {@code <run>/_checkpoints-distill/<name>/}. */
    static Path checkpoints(StageContext context) {
        return new Path(context.run().root(), CHECKPOINTS);
    }

    private static int ffnRatio(StageContext context) throws java.io.IOException {
        return org.nasbert.jobs.trainblocks.SupernetManifest.read(context.run()).ffnRatio();
    }

    /** The constraints a student stands for, from its manifest entry's "constraint". */
    public static List<String> constraints(String constraint) {
        return Arrays.asList(constraint.split(CONSTRAINTS_SEPARATOR));
    }

    /**
     * Whether the students learn the teacher's masked-LM outputs: distill.objective, auto deciding by whether the teacher has
     * the head.
     */
    public static boolean maskedLm(StageContext context, TeacherManifest.Teacher teacher) {
        return DistillSettings.maskedLm(context.get(DistillSettings.OBJECTIVE), teacher.mlmHead, teacher.location);
    }
}
