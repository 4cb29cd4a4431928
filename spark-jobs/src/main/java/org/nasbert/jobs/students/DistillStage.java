package org.nasbert.jobs.students;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.nasbert.NasbertException;
import org.nasbert.conf.Setting;
import org.nasbert.engine.BigDl;
import org.nasbert.io.Json;
import org.nasbert.io.StageOutput;
import org.nasbert.io.StepCheckpoints;
import org.nasbert.jobs.search.SearchStage;
import org.nasbert.jobs.teacher.BoundaryStates;
import org.nasbert.jobs.teacher.TeacherSchema;
import org.nasbert.jobs.teacher.TeacherStage;
import org.nasbert.prep.TokenizeStage;
import org.nasbert.space.Architecture;
import org.nasbert.space.StudentSize;
import org.nasbert.stage.Stage;
import org.nasbert.stage.StageContext;
import org.nasbert.student.Baselines;
import org.nasbert.student.DistillCheckpoints;
import org.nasbert.student.DistillSettings;
import org.nasbert.student.Distiller;
import org.nasbert.student.MaskedLmDistillation;
import org.nasbert.student.Masking;
import org.nasbert.student.StudentExport;
import org.nasbert.student.StudentModel;
import org.nasbert.teacher.BertModel;
import org.nasbert.teacher.BertWeights;
import org.nasbert.teacher.TeacherCheckpoint;
import org.nasbert.teacher.TeacherSettings;
import org.nasbert.teacher.TeacherStates;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.InputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
    public Map<String, Object> run(StageContext context, StageOutput output) throws Exception {
        context.run().requireComplete(TeacherStage.OUTPUT, "teacher");
        Path pareto = new Path(context.run().requireComplete(SearchStage.OUTPUT, "search"), SearchStage.PARETO);
        JsonNode teacher = context.run().manifest(TeacherStage.OUTPUT);
        List<Job> jobs = jobs(context, pareto, teacher);
        int width = teacher.path("teacher").path("hidden_size").asInt();
        boolean maskedLm = maskedLm(context, teacher.path("teacher"));
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
        List<Map<String, Object>> students = new ArrayList<>();
        for (int i = 0; i < jobs.size(); i++) {
            Job j = jobs.get(i);
            double[] r = trained.results.get(i);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", j.name);
            m.put("kind", j.kind);
            m.put("constraint", j.constraint);
            if (!j.roles.isEmpty()) {
                m.put(BASELINE_FOR, Arrays.asList(j.roles.split(CONSTRAINTS_SEPARATOR)));
            }
            m.put("architecture", j.architecture.toString());
            boolean inheritedEmbeddings = inherited && "searched".equals(j.kind);
            int embeddingSize = inheritedEmbeddings ? width : j.embeddingSize; // an inherited student has the teacher's table
            m.put("init", "searched".equals(j.kind) ? context.get(DistillSettings.INIT) : "fresh");
            m.put(SearchStage.EMBEDDING_SIZE, embeddingSize);
            m.put("parameters", StudentSize.BERT.withFfnRatio(trained.ffnRatio).withEmbeddingSize(embeddingSize).parameters(j.architecture));
            m.put("held_out_loss_at_init", r[0]);
            m.put("held_out_loss", r[1]);
            m.put("seconds", r[2]);
            if (r[3] > 0) {
                m.put("resumed_from_step", (long) r[3]); // seconds count from there
            }
            students.add(m);
        }
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("objective", trained.maskedLm ? "masked-lm" : "hidden-states");
        manifest.put("loss", lossDescription(trained.maskedLm));
        manifest.put("training_sequences", trained.trainingSequences);
        manifest.put("held_out_sequences", trained.heldOutSequences);
        manifest.put("students", students);
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
        JsonNode teacher = context.run().manifest(TeacherStage.OUTPUT);
        int last = teacher.path("boundaries").size() - 1;
        int width = teacher.path("teacher").path("hidden_size").asInt();
        boolean materialized = teacher.path("materialized").asBoolean();
        boolean half = "fp16".equals(teacher.path("precision").asText());
        boolean maskedLm = maskedLm(context, teacher.path("teacher"));
        List<DistillRow> train;
        List<DistillRow> heldOut;
        if (materialized && !maskedLm) {
            Dataset<Row> states = context.spark().read().parquet(new Path(context.run().path(TeacherStage.OUTPUT), TeacherStage.DATA).toString());
            train = states.filter("NOT " + TeacherSchema.HELD_OUT).javaRDD().map(r -> DistillRow.of(r, last)).collect();
            heldOut = states.filter(TeacherSchema.HELD_OUT).javaRDD().map(r -> DistillRow.of(r, last))
                    .take(context.get(DistillSettings.EVAL_SEQUENCES));
        } else {
            // the sequences the teacher stage stored (or would have); each task asks the teacher as it trains
            JsonNode used = teacher.path("settings");
            double fraction = TeacherStage.sampledFraction(used.path(TeacherSettings.SEQUENCES.key()).asLong(),
                    context.run().manifest(TokenizeStage.OUTPUT).path("counts").path("sequences").asLong());
            double share = used.path(TeacherSettings.HELD_OUT.key()).asDouble();
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
                teacher.path("teacher").path("location").asText(), context.hadoopConf()).weights());
        Recipe recipe = new Recipe(context.get(DistillSettings.STEPS), context.get(DistillSettings.BATCH_SIZE),
                context.get(DistillSettings.LEARNING_RATE), context.get(DistillSettings.SEED), width, half,
                teacher.path("teacher").path("vocab_size").asInt(30522), teacher.path("teacher").path("max_positions").asInt(512),
                ffnRatio(context), outputDir.toString(), checkpoints.toString(), context.get(DistillSettings.CHECKPOINT_EVERY),
                maskedLm ? MaskedLm.of(context) : null);
        LOG.info("{}: {} students ({} weights) learn the teacher's {}; {} training and {} held-out sequences, {} steps of {} "
                + "each, one task per student", stage, jobs.size(), init,
                maskedLm ? "masked-LM outputs" : "last hidden state", train.size(), heldOut.size(), recipe.steps, recipe.batchSize);
        List<double[]> results = jobs.isEmpty() ? new ArrayList<>() : jsc.parallelize(jobs, jobs.size()).map(job -> recipe.train(job,
                trainRows.value(), heldOutRows.value(), teacherWeights == null ? null : new BertModel(teacherWeights.value()))).collect();
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
        org.nasbert.supernet.SupernetBlock[] supernet = org.nasbert.jobs.supernet.SupernetEvaluator.trainedSupernet(context);
        org.nasbert.teacher.BertWeights teacher = org.nasbert.teacher.TeacherCheckpoint.open(
                context.run().manifest(TeacherStage.OUTPUT).path("teacher").path("location").asText(), context.hadoopConf()).weights();
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
        StringBuilder key = new StringBuilder();
        for (Setting<?> s : settings) {
            if (s != DistillSettings.CHECKPOINT_EVERY) { // how often to save does not change what is saved
                key.append(s.key()).append('=').append(context.get(s)).append('\n');
            }
        }
        for (Job j : jobs) {
            key.append(j.name).append(' ').append(j.architecture).append(" embeddings ").append(j.embeddingSize).append('\n');
        }
        boolean existed = context.run().fileSystem().exists(dir);
        if (!StepCheckpoints.keepOnlyFor(context.run().fileSystem(), dir, key.toString()) && existed) {
            LOG.info("{}: {} belongs to other settings or students; starting over", stage, dir);
        }
    }

    /** Where each student's checkpoints live until the stage finishes: {@code <run>/_checkpoints-distill/<name>/}. */
    static Path checkpoints(StageContext context) {
        return new Path(context.run().root(), CHECKPOINTS);
    }

    private static int ffnRatio(StageContext context) throws java.io.IOException {
        return context.run().manifest("supernet").path("settings").path("supernet.ffn-ratio").asInt(4);
    }

    /**
     * The searched students from pareto.json, then for each constraint with a student two uniform baselines: the one with
     * the most weights within its parameter budget (the constraint's, else the searched student's count) and the one with
     * the most weights whose predicted latency fits its latency budget (the constraint's, else the searched student's
     * prediction). Each distinct architecture is trained once per kind.
     */
    private static List<Job> jobs(StageContext context, Path pareto, JsonNode teacher) throws java.io.IOException {
        JsonNode json;
        try (InputStream in = context.run().fileSystem().open(pareto)) {
            json = Json.MAPPER.readTree(in);
        }
        JsonNode space = context.run().manifest("supernet").path("space").path("hidden_sizes");
        int[] widths = new int[space.size()];
        for (int i = 0; i < widths.length; i++) {
            widths[i] = space.get(i).asInt();
        }
        StudentSize size = new StudentSize(teacher.path("teacher").path("vocab_size").asInt(30522),
                teacher.path("teacher").path("max_positions").asInt(512), 2, ffnRatio(context));
        int layers = teacher.path("teacher").path("layers").asInt(12);
        Map<String, org.nasbert.latency.LatencyTable> tables = context.get(DistillSettings.BASELINES)
                ? org.nasbert.jobs.latency.LatencyStage.readTables(context) : null;
        List<Job> jobs = new ArrayList<>();
        int n = 0;
        for (JsonNode c : json.path("constraints")) {
            n++;
            if (!c.path("chosen").isObject()) {
                continue;
            }
            String constraint = c.path("constraint").asText();
            JsonNode chosen = c.path("chosen");
            Architecture a = Architecture.parse(chosen.path("architecture").asText());
            // pareto.json of an earlier version has no embedding size: those students had block 0's width
            int embeddingSize = chosen.path(SearchStage.EMBEDDING_SIZE).asInt(a.blocks().get(0).hidden());
            addOrJoin(jobs, new Job(String.format("searched-%02d", n), "searched", constraint, a, embeddingSize));
            if (tables == null) {
                continue;
            }
            // the latency baseline fits the constraint's budget on the constraint's device
            org.nasbert.latency.LatencyTable table = tables.getOrDefault(c.path("device").asText(""), tables.values().iterator().next());
            long maxParameters = c.path("max_parameters").asLong(chosen.path("parameters").asLong());
            double maxMs = c.path("max_latency_ms").asDouble(chosen.path("latency_ms").asDouble());
            // BERT-style: embeddings as wide as the layers
            Architecture byParameters = Baselines.largestWithin(b -> size.parameters(b) <= maxParameters, widths, layers, size);
            Architecture byLatency = Baselines.largestWithin(b -> table.predictMs(b) <= maxMs, widths, layers, size);
            if (byParameters != null) {
                addOrJoin(jobs, new Job(String.format("baseline-%02d", n), "baseline", constraint, "parameters", byParameters,
                        byParameters.blocks().get(0).hidden()));
            }
            if (byLatency != null) {
                addOrJoin(jobs, new Job(String.format("baseline-%02d-latency", n), "baseline", constraint, "latency", byLatency,
                        byLatency.blocks().get(0).hidden()));
            }
        }
        if (jobs.isEmpty()) {
            throw new NasbertException(pareto + " chose no student for any constraint; nothing to distill");
        }
        return jobs;
    }

    /**
     * Adds the job, or, when a job of the same kind already trains the same student (several constraints chose it, or
     * share a baseline, or it is a constraint's baseline in both parameters and latency), adds the constraint (and role)
     * to that one: it is trained once and stands for each, ';'-separated.
     */
    private static void addOrJoin(List<Job> jobs, Job job) {
        for (int i = 0; i < jobs.size(); i++) {
            Job j = jobs.get(i);
            if (j.kind.equals(job.kind) && j.architecture.equals(job.architecture) && j.embeddingSize == job.embeddingSize) {
                jobs.set(i, new Job(j.name, j.kind, j.constraint + CONSTRAINTS_SEPARATOR + job.constraint,
                        j.roles.isEmpty() ? "" : j.roles + CONSTRAINTS_SEPARATOR + job.roles, j.architecture, j.embeddingSize));
                return;
            }
        }
        jobs.add(job);
    }

    /** The constraints a student stands for, from its manifest entry's "constraint". */
    public static List<String> constraints(String constraint) {
        return Arrays.asList(constraint.split(CONSTRAINTS_SEPARATOR));
    }

    /**
     * Whether the students learn the teacher's masked-LM outputs: distill.objective, auto deciding by whether the teacher has
     * the head.
     */
    public static boolean maskedLm(StageContext context, JsonNode teacher) {
        String objective = context.get(DistillSettings.OBJECTIVE);
        boolean head = teacher.path("mlm_head").asBoolean(false);
        if ("masked-lm".equals(objective) && !head) {
            throw new NasbertException(DistillSettings.OBJECTIVE.key() + " = masked-lm, but the teacher " + teacher.path("location").asText()
                    + " has no masked-LM head; set it to hidden-states or auto");
        }
        return "masked-lm".equals(objective) || "auto".equals(objective) && head;
    }

    /** Masked-LM distillation's settings and the vocabulary's special ids, as the tasks need them. */
    static final class MaskedLm implements Serializable {
        private static final long serialVersionUID = 1L;
        final double probability;
        final double temperature;
        final int maskId;
        final int vocabSize;
        final int[] special;

        private MaskedLm(double probability, double temperature, int maskId, int vocabSize, int[] special) {
            this.probability = probability;
            this.temperature = temperature;
            this.maskId = maskId;
            this.vocabSize = vocabSize;
            this.special = special;
        }

        /** The special ids as the tokenize stage recorded them: the sequences' ids are exactly these. */
        static MaskedLm of(StageContext context) throws java.io.IOException {
            JsonNode v = context.run().manifest(TokenizeStage.OUTPUT).path("vocabulary");
            for (String field : new String[]{"size", "mask_id", "cls_id", "sep_id", "pad_id"}) {
                if (!v.path(field).isInt()) {
                    throw new NasbertException(context.run().path(TokenizeStage.OUTPUT) + "/manifest.json: vocabulary." + field
                            + " is missing; masked-LM distillation needs the special ids (rerun tokenize with this version)");
                }
            }
            return new MaskedLm(context.get(DistillSettings.MASK_PROBABILITY), context.get(DistillSettings.TEMPERATURE),
                    v.path("mask_id").asInt(), v.path("size").asInt(),
                    new int[]{v.path("cls_id").asInt(), v.path("sep_id").asInt(), v.path("pad_id").asInt()});
        }

        Masking masking() {
            return new Masking(probability, maskId, vocabSize, special);
        }
    }

    /** What every student's task runs with. */
    static final class Recipe implements Serializable {
        private static final long serialVersionUID = 1L;
        final int steps;
        final int batchSize;
        final double learningRate;
        final long seed;
        final int width;
        final boolean half;
        final int vocab;
        final int positions;
        final int ffnRatio;
        final String outputDir;
        final String checkpointDir;
        final int checkpointEvery;
        /** Null: the teacher's last hidden state is learnt. */
        final MaskedLm maskedLm;

        Recipe(int steps, int batchSize, double learningRate, long seed, int width, boolean half, int vocab, int positions,
               int ffnRatio, String outputDir, String checkpointDir, int checkpointEvery, MaskedLm maskedLm) {
            this.maskedLm = maskedLm;
            this.checkpointDir = checkpointDir;
            this.checkpointEvery = checkpointEvery;
            this.steps = steps;
            this.batchSize = batchSize;
            this.learningRate = learningRate;
            this.seed = seed;
            this.width = width;
            this.half = half;
            this.vocab = vocab;
            this.positions = positions;
            this.ffnRatio = ffnRatio;
            this.outputDir = outputDir;
        }

        /** Trains and exports one student; returns held-out loss before, after, seconds and the step it resumed from. */
        /** {@code teacher}: computes the targets as the student trains; null when they were stored. */
        double[] train(Job job, List<DistillRow> train, List<DistillRow> heldOut, BertModel teacher) {
            BigDl.singleThreadedMath();
            long t0 = System.nanoTime();
            Architecture a = job.architecture;
            Path initial = new Path(new Path(checkpointDir, INITIAL), job.name);
            StudentModel student;
            try {
                student = initial.getFileSystem(new Configuration()).exists(initial) ? StudentExport.read(initial, new Configuration())
                        : maskedLm != null ? StudentModel.freshWithMaskedLmHead(a, job.embeddingSize, vocab, positions, ffnRatio, seed)
                        : StudentModel.fresh(a, job.embeddingSize, vocab, positions, ffnRatio, seed, width);
            } catch (java.io.IOException e) {
                throw new NasbertException("cannot read " + initial + ": " + e.getMessage(), e);
            }
            Path saved = new Path(checkpointDir, job.name);
            DistillCheckpoints checkpoints;
            long resumedFrom;
            try {
                checkpoints = new DistillCheckpoints(saved.getFileSystem(new Configuration()), saved, checkpointEvery, worker());
                resumedFrom = checkpoints.latestStep();
            } catch (java.io.IOException e) {
                throw new NasbertException("cannot open " + saved + ": " + e.getMessage(), e);
            }
            Distiller.Objective objective = maskedLm != null
                    ? new MaskedLmDistillation(tokens(train), tokens(heldOut), teacher, maskedLm.masking(), maskedLm.temperature, batchSize)
                    : Distiller.hiddenStates(sequences(train, teacher), sequences(heldOut, teacher), width, batchSize);
            double[] losses = Distiller.train(student, objective, steps, batchSize, learningRate, seed, checkpoints);
            Path target = new Path(outputDir, job.name);
            try {
                target.getFileSystem(new Configuration()).delete(target, true); // a retried task redoes its student
            } catch (java.io.IOException e) {
                throw new NasbertException("cannot clear " + target + ": " + e.getMessage(), e);
            }
            StudentExport.write(student, ffnRatio, null, target, new Configuration());
            return new double[]{losses[0], losses[1], (System.nanoTime() - t0) / 1e9, resumedFrom};
        }

        /** Which executor on which host trains a student, for its checkpoints' records. */
        private static String worker() {
            org.apache.spark.SparkEnv env = org.apache.spark.SparkEnv.get();
            return env == null ? "" : "executor " + env.executorId() + " on " + env.blockManager().blockManagerId().host();
        }

        private static Distiller.Sequences tokens(List<DistillRow> rows) {
            List<int[]> ids = new ArrayList<>();
            List<int[]> types = new ArrayList<>();
            for (DistillRow r : rows) {
                ids.add(r.ids);
                types.add(r.types);
            }
            return Distiller.tokens(ids, types);
        }

        private Distiller.Sequences sequences(List<DistillRow> rows, BertModel teacher) {
            if (teacher != null) {
                List<int[]> ids = new ArrayList<>();
                List<int[]> types = new ArrayList<>();
                for (DistillRow r : rows) {
                    ids.add(r.ids);
                    types.add(r.types);
                }
                return Distiller.onTheFly(ids, types, teacher);
            }
            return new Distiller.Sequences() {
                public int size() {
                    return rows.size();
                }

                public int[] ids(int i) {
                    return rows.get(i).ids;
                }

                public int[] types(int i) {
                    return rows.get(i).types;
                }

                public float[] target(int i) {
                    return TeacherStates.decode(rows.get(i).target, half);
                }
            };
        }
    }
}
