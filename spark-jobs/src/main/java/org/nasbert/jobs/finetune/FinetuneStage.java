package org.nasbert.jobs.finetune;

import org.nasbert.jobs.teacher.TeacherStage;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.nasbert.NasbertException;
import org.nasbert.conf.Setting;
import org.nasbert.engine.BigDl;
import org.nasbert.finetune.EncodedExample;
import org.nasbert.finetune.FinetuneSettings;
import org.nasbert.io.StageOutput;
import org.nasbert.jobs.distill.DistillStage;
import org.nasbert.jobs.distill.StudentsManifest;
import org.nasbert.prep.TokenizeStage;
import org.nasbert.spark.PerModelTasks;
import org.nasbert.stage.CheckpointKey;
import org.nasbert.jobs.teacher.TeacherManifest;
import org.nasbert.stage.Manifest;
import org.nasbert.stage.MemoryNeed;
import org.nasbert.stage.ModelMemory;
import org.nasbert.stage.Stage;
import org.nasbert.stage.StageContext;
import org.nasbert.tasks.TaskFormat;
import org.nasbert.student.StudentExport;
import org.nasbert.teacher.BertConfig;
import org.nasbert.teacher.BertWeights;
import org.nasbert.teacher.TeacherCheckpoint;
import org.nasbert.text.WordPieceVocabulary;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * finetune: the downstream task, learnt by the teacher first (its top layers, or all), then by every distilled student
 * and baseline from the labels and the fine-tuned teacher's logits by one recipe (task distillation, NAS-BERT §4.1.2).
 * One Spark task for the teacher, then one per student. Output {@code <run>/finetune/<name>/}: {@code student/} (the
 * student's export) or {@code encoder.safetensors} (the teacher's trained layers), and {@code head.safetensors}.
 */
public final class FinetuneStage implements Stage {
    public static final String OUTPUT = "finetune";
    public static final String TEACHER = "teacher";
    public static final String HEAD = "head.safetensors";
    public static final String ENCODER = "encoder.safetensors";
    public static final String STUDENT = "student";
    static final String CHECKPOINTS = "_checkpoints-finetune";
    private static final Logger LOG = LoggerFactory.getLogger(FinetuneStage.class);

    @Override
    public String name() {
        return "finetune";
    }

    @Override
    public String summary() {
        return "fine-tunes the teacher, then the students and baselines by task distillation -> <run>/finetune";
    }

    @Override
    public String output() {
        return OUTPUT;
    }

    @Override
    public List<Setting<?>> settings() {
        return Arrays.asList(FinetuneSettings.TASK, FinetuneSettings.FORMAT, FinetuneSettings.MAX_LENGTH, FinetuneSettings.EPOCHS,
                FinetuneSettings.BATCH_SIZE, FinetuneSettings.LEARNING_RATE, FinetuneSettings.TEACHER_LEARNING_RATE,
                FinetuneSettings.TEACHER_LAYERS, FinetuneSettings.KD_WEIGHT, FinetuneSettings.TEMPERATURE,
                FinetuneSettings.CHECKPOINT_EVERY, FinetuneSettings.SEED, FinetuneSettings.SEEDS);
    }

    @Override
    public List<Stage> inputs() {
        return Arrays.asList(new TokenizeStage(), new TeacherStage(), new DistillStage());
    }

    /** One fine-tuning of a student: its name, kind, constraint, where distill exported it, the seed and its output. */
    static final class Job implements Serializable {
        private static final long serialVersionUID = 1L;
        final String name;
        final String kind;
        final String constraint;
        final String source;
        final long seed;
        /** The model's directory under the output: the name for the first seed, name@seed&lt;k&gt; for the k-th. */
        final String dir;

        Job(String name, String kind, String constraint, String source, long seed, int replica) {
            this.name = name;
            this.kind = kind;
            this.constraint = constraint;
            this.source = source;
            this.seed = seed;
            this.dir = replicaDir(name, replica);
        }
    }

    /** Where seed k of a model is written under {@code <run>/finetune}: the name itself for k = 0. */
    public static String replicaDir(String name, int replica) {
        return replica == 0 ? name : name + "@seed" + replica;
    }

    @Override
    public Class<FinetuneManifest> manifestType() {
        return FinetuneManifest.class;
    }

    /**
     * The driver holds the encoded examples and the teacher's weights, each with a serialised copy for the broadcast. An
     * executor holds one copy of each, then first the teacher in training (its top layers with gradients and Adam's
     * moments, every layer's activations of a step), then the students (each seed a task), the largest counted as running
     * at once, each step as long as the longest example.
     */
    @Override
    public MemoryNeed memoryNeed(StageContext context) throws Exception {
        TeacherManifest.Teacher teacher = TeacherManifest.read(context.run()).teacher;
        BertConfig c = teacher.sizes();
        // the examples as the stage encodes them: a batch is as long as its longest example
        TaskData train = TaskData.read(context, TaskData.resolve(context.get(FinetuneSettings.TASK), "train.tsv"), TaskData.format(context),
                TokenizeStage.recordedVocabulary(context), context.get(FinetuneSettings.MAX_LENGTH));
        int seq = 1;
        long examples = 0;
        for (EncodedExample e : train.examples) {
            seq = Math.max(seq, e.ids.length);
            examples += 8L * e.ids.length;
        }
        int batch = context.get(FinetuneSettings.BATCH_SIZE);
        long weights = ModelMemory.weights(teacher.parameters);
        int trained = context.get(FinetuneSettings.TEACHER_LAYERS) == 0 ? c.numLayers : Math.min(c.numLayers, context.get(FinetuneSettings.TEACHER_LAYERS));
        long layer = (c.parameterCount(false) - (long) (c.vocabSize + c.maxPositions + c.typeVocabSize + 2) * c.hiddenSize) / c.numLayers;
        long teacherTask = weights + 3 * ModelMemory.weights(trained * layer)
                + ModelMemory.trainingActivations(batch, seq, c.hiddenSize, c.intermediateSize, c.numHeads, trained);
        StudentsManifest distilled = StudentsManifest.read(context.run());
        List<Long> students = new ArrayList<>();
        for (StudentsManifest.Student s : distilled.students) {
            int ffn = org.nasbert.student.StudentExport.ffnRatio(new Path(context.run().path(DistillStage.OUTPUT), s.name), context.hadoopConf());
            long one = ModelMemory.studentTraining(org.nasbert.space.Architecture.parse(s.architecture),
                    s.embeddingSize == null ? c.hiddenSize : s.embeddingSize, c.vocabSize, c.maxPositions, ffn, batch, seq);
            students.addAll(Collections.nCopies(context.get(FinetuneSettings.SEEDS), one));
        }
        int atOnce = Math.min(students.size(), ModelMemory.tasksAtOnce(context.spark().sparkContext().getConf()));
        long studentTasks = ModelMemory.largest(students, atOnce);
        String training = String.format("the larger of the teacher in training (%d layers, %s = %d of %d tokens) and %d student(s) "
                + "at once", trained, FinetuneSettings.BATCH_SIZE.key(), batch, seq, atOnce);
        return new MemoryNeed()
                .driver("the examples and the teacher's weights, with their broadcast copies", 2 * (examples + weights))
                .executor("the examples and the teacher's weights", examples + weights)
                .executor(training, Math.max(teacherTask, studentTasks))
                .local(training, Math.max(teacherTask, studentTasks));
    }

    @Override
    public Manifest run(StageContext context, StageOutput output) throws Exception {
        Path students = context.run().path(DistillStage.OUTPUT);
        StudentsManifest distilled = StudentsManifest.read(context.run());
        TaskFormat format = TaskData.format(context);
        WordPieceVocabulary vocabulary = TokenizeStage.recordedVocabulary(context); // the one the students know
        TaskData train = TaskData.read(context, TaskData.resolve(context.get(FinetuneSettings.TASK), "train.tsv"), format, vocabulary,
                context.get(FinetuneSettings.MAX_LENGTH));
        if (train.examples.isEmpty()) {
            throw new NasbertException(train.file + " has no usable example (skipped: " + train.read.skipped + ")");
        }
        int outputs = format.regression() ? 1 : train.labels.size();
        TeacherCheckpoint checkpoint = TeacherCheckpoint.open(teacherModel(context), context.hadoopConf());
        int layers = checkpoint.config().numLayers;
        int teacherLayers = context.get(FinetuneSettings.TEACHER_LAYERS);
        if (teacherLayers > layers) {
            throw new NasbertException("finetune.teacher-layers = " + teacherLayers + " but the teacher has " + layers + " layers");
        }
        int trained = teacherLayers == 0 ? layers : teacherLayers;
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(context.spark().sparkContext());
        BigDl.init(context.spark().sparkContext());
        Broadcast<List<EncodedExample>> examples = jsc.broadcast(train.examples);
        Broadcast<BertWeights> weights = jsc.broadcast(checkpoint.weights());
        int seeds = context.get(FinetuneSettings.SEEDS);
        long seed = context.get(FinetuneSettings.SEED);
        List<Job> jobs = new ArrayList<>();
        for (StudentsManifest.Student s : distilled.students) {
            String name = s.name;
            for (int k = 0; k < seeds; k++) {
                jobs.add(new Job(name, s.kind, s.constraint, new Path(students, name).toString(), seed + k, k));
            }
        }
        keepCheckpointsOnlyFor(context, train, distilled);
        FinetuneRecipe recipe = new FinetuneRecipe(context, format.regression(), outputs, output.temp().toString(),
                checkpoints(context).toString());
        LOG.info("finetune: {} ({} examples, {} outputs); the teacher's top {} of {} layers, then {} students x {} seeds, {} epochs each",
                train.file, train.examples.size(), outputs, trained, layers, distilled.students.size(), seeds, recipe.epochs);
        long teacherParameters = checkpoint.weights().parameterCount();
        Result teacher = PerModelTasks.map(jsc, "nasbert finetune: the teacher", Collections.singletonList(TEACHER),
                name -> recipe.teacher(weights.value(), trained, examples.value())).get(0);
        weights.destroy();
        Broadcast<float[][]> logits = jsc.broadcast(teacher.logits);
        // the students' FFN ratio as distill exported them (the supernet's; finetune reads no supernet output)
        int ffnRatio = jobs.isEmpty() ? 4 : StudentExport.ffnRatio(new Path(jobs.get(0).source), context.hadoopConf());
        List<Result> results = PerModelTasks.mapLargestFirst(jsc, "nasbert finetune: students and baselines", jobs,
                job -> org.nasbert.space.Architecture.parse(distilled.student(job.name).architecture).blockFlops(ffnRatio,
                        DistillStage.COST_SEQUENCE),
                job -> recipe.student(job, examples.value(), logits.value()));
        logits.destroy();
        examples.destroy();
        context.run().fileSystem().delete(checkpoints(context), true); // every model is written: nothing left to resume
        return manifest(context, train, format, outputs, trained, layers, teacher, teacherParameters, jobs, results, distilled);
    }

    /** Where each model's checkpoints live until the stage finishes: {@code <run>/_checkpoints-finetune/<name>/}. */
    static Path checkpoints(StageContext context) {
        return new Path(context.run().root(), CHECKPOINTS);
    }

    /**
     * Checkpoints resume only the run that wrote them: other settings, other training examples (file, tokenizer,
     * length) or other distilled students start over.
     */
    private void keepCheckpointsOnlyFor(StageContext context, TaskData train, StudentsManifest distilled) throws IOException {
        CheckpointKey key = CheckpointKey.of(context, settings(), FinetuneSettings.CHECKPOINT_EVERY)
                .with("teacher", teacherModel(context))
                .with("examples sha256", EncodedExample.sha256(train.examples))
                .with("students", org.nasbert.io.Json.MAPPER.writeValueAsString(distilled.students));
        Path dir = checkpoints(context);
        if (!key.keepOnly(context, dir)) {
            LOG.info("finetune: {} belongs to other settings, examples or students; starting over", dir);
        }
    }

    /** The teacher the run distilled from, as the teacher stage recorded it (not today's teacher.model). */
    static String teacherModel(StageContext context) throws IOException {
        return org.nasbert.jobs.teacher.TeacherManifest.read(context.run()).teacher.location;
    }

    private static FinetuneManifest manifest(StageContext context, TaskData train, TaskFormat format, int outputs, int trained,
                                             int layers, Result teacher, long teacherParameters, List<Job> jobs, List<Result> results,
                                             StudentsManifest distilled) throws IOException {
        FinetuneManifest m = new FinetuneManifest();
        m.task = context.get(FinetuneSettings.TASK);
        m.format = format.key();
        m.labels = train.labels;
        m.outputs = outputs;
        m.train = train.describe();
        m.loss = "(1 - kd_weight) task + kd_weight T^2 KL(teacher || student); the teacher learns from the labels alone";
        FinetuneManifest.Model t = describe(TEACHER, "teacher", "", teacher);
        t.model = teacherModel(context);
        t.layersTrained = trained;
        t.layers = layers;
        t.architecture = "BERT " + layers + " layers";
        t.parameters = teacherParameters;
        m.models.add(t);
        int seeds = context.get(FinetuneSettings.SEEDS);
        for (int i = 0; i < jobs.size(); i += seeds) {
            Job j = jobs.get(i);
            FinetuneManifest.Model s = describe(j.name, j.kind, j.constraint, results.get(i));
            replicas(s, jobs.subList(i, i + seeds), results.subList(i, i + seeds));
            StudentsManifest.Student d = distilled.student(j.name);
            if (d != null) {
                s.architecture = d.architecture;
                s.parameters = d.parameters;
            }
            m.models.add(s);
        }
        return m;
    }

    /** Every seed's fine-tuning of one model: its seed, directory and epoch losses (the first is the model's own). */
    private static void replicas(FinetuneManifest.Model model, List<Job> jobs, List<Result> results) {
        model.seeds = new ArrayList<>();
        double seconds = 0;
        for (int k = 0; k < jobs.size(); k++) {
            FinetuneManifest.Seed r = new FinetuneManifest.Seed();
            r.seed = jobs.get(k).seed;
            r.dir = jobs.get(k).dir;
            r.epochLosses = results.get(k).epochLosses;
            model.seeds.add(r);
            seconds += results.get(k).seconds;
        }
        model.seconds = seconds;
    }

    private static FinetuneManifest.Model describe(String name, String kind, String constraint, Result r) {
        FinetuneManifest.Model m = new FinetuneManifest.Model();
        m.name = name;
        m.kind = kind;
        m.constraint = constraint;
        m.epochLosses = r.epochLosses;
        m.seconds = r.seconds;
        if (r.resumedFromStep > 0) {
            m.resumedFromStep = r.resumedFromStep;
        }
        return m;
    }

    /** What a fine-tuning task returns. */
    static final class Result implements Serializable {
        private static final long serialVersionUID = 1L;
        final double[] epochLosses;
        final double seconds;
        /** The teacher's logits on the training examples; null for students. */
        final float[][] logits;
        /** The checkpoint's step this run started from (0: from the start); seconds count this run only. */
        final long resumedFromStep;

        Result(double[] epochLosses, double seconds, float[][] logits, long resumedFromStep) {
            this.epochLosses = epochLosses;
            this.seconds = seconds;
            this.logits = logits;
            this.resumedFromStep = resumedFromStep;
        }
    }
}
