package org.nasbert.jobs.evaluate;

import org.nasbert.jobs.finetune.FinetuneStage;
import org.nasbert.jobs.finetune.FinetuneManifest;
import org.nasbert.jobs.finetune.TaskData;
import org.nasbert.finetune.EvaluateSettings;
import org.nasbert.jobs.distill.DistillStage;
import org.nasbert.jobs.distill.StudentsManifest;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.nasbert.NasbertException;
import org.nasbert.conf.Setting;
import org.nasbert.engine.BigDl;
import org.nasbert.finetune.EncodedExample;
import org.nasbert.finetune.Encoder;
import org.nasbert.finetune.FineTuner;
import org.nasbert.nn.ModuleWeights;
import org.nasbert.finetune.StudentEncoder;
import org.nasbert.finetune.TaskHead;
import org.nasbert.finetune.TeacherEncoder;
import org.nasbert.io.StageOutput;
import org.nasbert.prep.TokenizeStage;
import org.nasbert.spark.PerModelTasks;
import org.nasbert.stage.Manifest;
import org.nasbert.teacher.BertConfig;
import org.nasbert.stage.MemoryNeed;
import org.nasbert.stage.ModelMemory;
import org.nasbert.stage.Stage;
import org.nasbert.stage.StageContext;
import org.nasbert.student.StudentExport;
import org.nasbert.tasks.TaskFormat;
import org.nasbert.teacher.BertWeights;
import org.nasbert.teacher.TeacherCheckpoint;
import org.nasbert.text.WordPieceVocabulary;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * evaluate: every fine-tuned model (teacher, searched students, baselines) scored by the task's metrics on each of
 * evaluate.files, one Spark task per model. Output {@code <run>/evaluate/metrics.json} (also the manifest's body).
 */
public final class EvaluateStage implements Stage {
    public static final String OUTPUT = "evaluate";
    public static final String METRICS = "metrics.json";
    public static final String REPORT = "report.md";

    @Override
    public String name() {
        return "evaluate";
    }

    @Override
    public String summary() {
        return "the task's metrics for the fine-tuned teacher, students and baselines -> <run>/evaluate/metrics.json";
    }

    @Override
    public String output() {
        return OUTPUT;
    }

    @Override
    public List<Setting<?>> settings() {
        return Arrays.asList(EvaluateSettings.FILES, EvaluateSettings.RESAMPLES);
    }

    @Override
    public List<Stage> inputs() {
        return Arrays.asList(new TokenizeStage(), new DistillStage(), new FinetuneStage());
    }

    @Override
    public boolean redoneForNewSettings() {
        return true; // scoring other files is cheap and must not reuse the old scores
    }

    /** A fine-tuned model to score. */
    static final class Model implements Serializable {
        private static final long serialVersionUID = 1L;
        final String name;
        final String dir;
        final int layersTrained;

        Model(String name, String dir, int layersTrained) {
            this.name = name;
            this.dir = dir;
            this.layersTrained = layersTrained;
        }
    }

    @Override
    public Class<EvaluateManifest> manifestType() {
        return EvaluateManifest.class;
    }

    /**
     * The driver holds the evaluation files' examples (their lines at the recorded max length) and the teacher's weights,
     * each with a broadcast copy; an executor one copy of each and, per running task, a model (the fine-tuned teacher
     * counted as a second copy of the teacher) with a 64-example forward pass.
     */
    @Override
    public MemoryNeed memoryNeed(StageContext context) throws Exception {
        FinetuneManifest tuned = FinetuneManifest.read(context.run());
        BertConfig teacher = TeacherCheckpoint.configWithoutWeights(teacherModel(tuned), context.hadoopConf());
        int seq = tuned.maxLength();
        long examples = 0;
        for (String f : context.get(EvaluateSettings.FILES)) {
            examples += 8L * seq * org.nasbert.jobs.finetune.TaskData.lines(context, org.nasbert.jobs.finetune.TaskData.resolve(tuned.task, f));
        }
        long weights = ModelMemory.weights(teacher.parameterCount(true));
        List<Long> models = new ArrayList<>();
        for (FinetuneManifest.Model m : tuned.models) {
            long one = ModelMemory.weights(m.parameters == null ? teacher.parameterCount(true) : m.parameters)
                    + ModelMemory.inference(64, seq, teacher, 1);
            models.addAll(Collections.nCopies(m.seeds == null || m.seeds.isEmpty() ? 1 : m.seeds.size(), one));
        }
        int atOnce = Math.min(models.size(), ModelMemory.tasksAtOnce(context.spark().sparkContext().getConf()));
        String tasks = atOnce + " model(s) at once, each predicting 64 examples of up to " + seq + " tokens at a time";
        return new MemoryNeed()
                .driver("the examples and the teacher's weights, with their broadcast copies", 2 * (examples + weights))
                .executor("the examples and the teacher's weights", examples + weights)
                .executor(tasks, ModelMemory.largest(models, atOnce))
                .local(tasks, ModelMemory.largest(models, atOnce));
    }

    @Override
    public Manifest run(StageContext context, StageOutput output) throws Exception {
        Path finetuned = context.run().path(FinetuneStage.OUTPUT);
        FinetuneManifest tuned = FinetuneManifest.read(context.run());
        TaskFormat format = TaskFormat.named(tuned.format, context.run().path(FinetuneStage.OUTPUT) + "/manifest.json");
        List<String> labels = tuned.labels;
        WordPieceVocabulary vocabulary = TokenizeStage.recordedVocabulary(context);
        // the task, its length limit and the teacher as finetune recorded them: today's settings may name others
        String task = tuned.task;
        int maxLength = tuned.maxLength();
        List<TaskData> files = new ArrayList<>();
        List<List<EncodedExample>> data = new ArrayList<>();
        for (String f : context.get(EvaluateSettings.FILES)) {
            TaskData d = TaskData.read(context, TaskData.resolve(task, f), format, vocabulary, maxLength);
            if (d.examples.isEmpty()) {
                throw new NasbertException(d.file + " has no usable example (skipped: " + d.read.skipped + ")");
            }
            files.add(d);
            data.add(d.relabeled(format.regression() ? null : labels));
        }
        List<Integer> seedsOf = new ArrayList<>();
        List<Model> models = models(tuned, finetuned, seedsOf);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(context.spark().sparkContext());
        BigDl.init(context.spark().sparkContext());
        Broadcast<BertWeights> weights = jsc.broadcast(TeacherCheckpoint.open(teacherModel(tuned), context.hadoopConf()).weights());
        Broadcast<List<List<EncodedExample>>> shared = jsc.broadcast(data);
        int outputs = tuned.outputs;
        boolean regression = format.regression();
        List<String> metricNames = new ArrayList<>();
        format.metrics().forEach(x -> metricNames.add(x.name().toLowerCase(java.util.Locale.ROOT)));
        List<List<Predictions>> bySeed = PerModelTasks.map(jsc, "nasbert evaluate: score", models,
                m -> predict(m, weights.value(), shared.value(), outputs, regression));
        List<List<List<Predictions>>> predictions = new ArrayList<>(); // model -> seed -> file
        for (int i = 0, from = 0; i < seedsOf.size(); from += seedsOf.get(i), i++) {
            predictions.add(bySeed.subList(from, from + seedsOf.get(i)));
        }
        weights.destroy();
        shared.destroy();
        Map<String, List<String>> baselineFor = baselineRoles(context);
        // built as maps by the statistics, bound to the output's class once
        EvaluateManifest result = org.nasbert.io.Json.MAPPER.convertValue(
                new EvaluateMetrics(tuned, files, data, metricNames, context.get(EvaluateSettings.RESAMPLES)).of(baselineFor, predictions),
                EvaluateManifest.class);
        try (java.io.OutputStream out = output.fileSystem().create(new Path(output.temp(), METRICS), false)) {
            out.write(org.nasbert.io.Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(result));
        }
        try (java.io.OutputStream out = output.fileSystem().create(new Path(output.temp(), REPORT), false)) {
            out.write(ScoreReport.markdown(result).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return result;
    }

    /** Every seed's fine-tuning of every model, in the manifest's order; {@code seedsOf} gets each model's number of seeds. */
    private static List<Model> models(FinetuneManifest tuned, Path finetuned, List<Integer> seedsOf) {
        List<Model> models = new ArrayList<>();
        for (FinetuneManifest.Model m : tuned.models) {
            List<String> dirs = new ArrayList<>();
            if (m.seeds != null) {
                m.seeds.forEach(r -> dirs.add(r.dir));
            }
            if (dirs.isEmpty()) {
                dirs.add(m.name);
            }
            for (String d : dirs) {
                models.add(new Model(m.name, new Path(finetuned, d).toString(), m.layersTrained == null ? 0 : m.layersTrained));
            }
            seedsOf.add(dirs.size());
        }
        return models;
    }

    /** The constraints each distilled baseline stands beside, by name. */
    private static Map<String, List<String>> baselineRoles(StageContext context) throws IOException {
        Map<String, List<String>> baselineFor = new java.util.HashMap<>();
        for (StudentsManifest.Student st : StudentsManifest.read(context.run()).students) {
            baselineFor.put(st.name, st.baselineFor == null ? Collections.emptyList() : st.baselineFor);
        }
        return baselineFor;
    }

    /** The teacher finetune fine-tuned (its model entry records the checkpoint). */
    private static String teacherModel(FinetuneManifest tuned) {
        FinetuneManifest.Model teacher = tuned.teacher();
        if (teacher == null || teacher.model == null) {
            throw new NasbertException("the finetune manifest names no teacher model (models[name = teacher].model); redo finetune");
        }
        return teacher.model;
    }

    /** One model's predictions on each file. */
    static List<Predictions> predict(Model m, BertWeights teacher, List<List<EncodedExample>> files, int outputs, boolean regression)
            throws IOException {
        BigDl.singleThreadedMath();
        Configuration conf = new Configuration();
        Path dir = new Path(m.dir);
        FileSystem fs = dir.getFileSystem(conf);
        Encoder encoder;
        if (FinetuneStage.TEACHER.equals(m.name)) {
            encoder = new TeacherEncoder(teacher, m.layersTrained);
            ModuleWeights.read(fs, new Path(dir, FinetuneStage.ENCODER), encoder.modules());
        } else {
            encoder = new StudentEncoder(StudentExport.read(new Path(dir, FinetuneStage.STUDENT), conf));
        }
        TaskHead head = new TaskHead(encoder.width(), outputs, new Random(0));
        ModuleWeights.read(fs, new Path(dir, FinetuneStage.HEAD), Collections.singletonList(head.dense()));
        List<Predictions> out = new ArrayList<>();
        for (int f = 0; f < files.size(); f++) {
            out.add(predictions(FineTuner.predict(encoder, head, files.get(f), 64, "evaluate: " + m.name + ", file " + (f + 1) + " of "
                    + files.size()), regression));
        }
        return out;
    }

    /** The predicted class (arg max of the logits, the first on a tie) or the regression output per example. */
    static Predictions predictions(float[][] logits, boolean regression) {
        if (regression) {
            double[] values = new double[logits.length];
            for (int i = 0; i < values.length; i++) {
                values[i] = logits[i][0];
            }
            return Predictions.ofValues(values);
        }
        int[] labels = new int[logits.length];
        for (int i = 0; i < labels.length; i++) {
            int best = 0;
            for (int c = 1; c < logits[i].length; c++) {
                best = logits[i][c] > logits[i][best] ? c : best;
            }
            labels[i] = best;
        }
        return Predictions.ofLabels(labels);
    }
}
