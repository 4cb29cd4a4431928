package org.nasbert.jobs.evaluate;

import org.nasbert.jobs.finetune.FinetuneStage;
import org.nasbert.jobs.finetune.FinetuneManifest;
import org.nasbert.jobs.finetune.TaskData;
import org.nasbert.finetune.EvaluateSettings;
import org.nasbert.jobs.distill.DistillStage;
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
import java.util.LinkedHashMap;
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
        for (String f : context.get(EvaluateSettings.FILES).split(",")) {
            TaskData d = TaskData.read(context, TaskData.resolve(task, f), format, vocabulary, maxLength);
            if (d.examples.isEmpty()) {
                throw new NasbertException(d.file + " has no usable example (skipped: " + d.read.skipped + ")");
            }
            files.add(d);
            data.add(d.relabeled(format.regression() ? null : labels));
        }
        List<Model> models = new ArrayList<>(); // every seed's fine-tuning of every model, in the manifest's order
        List<Integer> seedsOf = new ArrayList<>();
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
        Map<String, List<String>> baselineFor = new java.util.HashMap<>();
        for (org.nasbert.jobs.distill.StudentsManifest.Student st : org.nasbert.jobs.distill.StudentsManifest.read(context.run()).students) {
            baselineFor.put(st.name, st.baselineFor == null ? java.util.Collections.emptyList() : st.baselineFor);
        }
        // built as maps by the statistics, bound to the output's class once
        EvaluateManifest result = org.nasbert.io.Json.MAPPER.convertValue(
                metrics(tuned, baselineFor, files, data, predictions, metricNames, context.get(EvaluateSettings.RESAMPLES)), EvaluateManifest.class);
        try (java.io.OutputStream out = output.fileSystem().create(new Path(output.temp(), METRICS), false)) {
            out.write(org.nasbert.io.Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(result));
        }
        try (java.io.OutputStream out = output.fileSystem().create(new Path(output.temp(), REPORT), false)) {
            out.write(ScoreReport.markdown(result).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return result;
    }

    /** The teacher finetune fine-tuned (its model entry records the checkpoint). */
    private static String teacherModel(FinetuneManifest tuned) {
        FinetuneManifest.Model teacher = tuned.teacher();
        if (teacher == null || teacher.model == null) {
            throw new NasbertException("the finetune manifest names no teacher model (models[name = teacher].model); redo finetune");
        }
        return teacher.model;
    }

    private static Map<String, Object> metrics(FinetuneManifest tuned, Map<String, List<String>> baselineFor, List<TaskData> files, List<List<EncodedExample>> data,
                                               List<List<List<Predictions>>> predictions, List<String> metricNames, int resamples) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("task", tuned.task);
        out.put("format", tuned.format);
        List<FinetuneManifest.TaskFile> described = new ArrayList<>();
        for (TaskData f : files) {
            described.add(f.describe());
        }
        out.put("files", described);
        out.put("statistics", "intervals: percentile bootstrap over the examples, 95%, " + resamples + " resamples (seed "
                + ScoreStatistics.SEED + ", the same for every model); comparisons: searched - baseline on the same examples, interval "
                + "by paired bootstrap, p by McNemar's exact test (accuracy) or the paired bootstrap (other metrics); verdict at p < "
                + org.nasbert.stats.PairedTest.ALPHA + "; a model fine-tuned with several seeds is scored on its seeds' predictions "
                + "pooled (each seed's prediction of an example is one observation, paired with the baseline's of the same seed), "
                + "and seed_mean / seed_sd are its scores' mean and standard deviation over the seeds");
        List<Predictions.Gold> gold = new ArrayList<>();
        for (List<EncodedExample> d : data) {
            gold.add(gold(d));
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        List<ScoreStatistics.Entry> entries = new ArrayList<>();
        int pool = 1;
        for (List<List<Predictions>> p : predictions) {
            pool = Math.max(pool, p.size());
        }
        for (int i = 0; i < predictions.size(); i++) {
            FinetuneManifest.Model m = tuned.models.get(i);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", m.name);
            row.put("kind", m.kind);
            row.put("constraint", m.constraint);
            row.put("architecture", m.architecture);
            if (m.parameters != null) {
                row.put("parameters", m.parameters);
            }
            List<String> roles = new ArrayList<>(baselineFor.getOrDefault(m.name, java.util.Collections.emptyList()));
            entries.add(new ScoreStatistics.Entry(m.name, m.kind, m.constraint, roles));
            Map<String, Object> perFile = new LinkedHashMap<>();
            Map<String, Object> intervals = new LinkedHashMap<>();
            Map<String, Object> seedMean = new LinkedHashMap<>();
            Map<String, Object> seedSd = new LinkedHashMap<>();
            List<List<Predictions>> seeds = predictions.get(i);
            for (int f = 0; f < files.size(); f++) {
                Predictions p = pooled(seeds, f, seeds.size());
                Predictions.Gold g = gold.get(f).repeated(seeds.size());
                Map<String, Double> values = new LinkedHashMap<>();
                Map<String, Object> ci = new LinkedHashMap<>();
                Map<String, Double> mean = new LinkedHashMap<>();
                Map<String, Double> sd = new LinkedHashMap<>();
                for (String n : metricNames) {
                    values.put(n, p.metric(n, g, org.nasbert.stats.Bootstrap.all(p.size())));
                    ci.put(n, ScoreStatistics.interval(p, g, n, resamples));
                    double[] each = new double[seeds.size()];
                    for (int k = 0; k < each.length; k++) {
                        Predictions one = seeds.get(k).get(f);
                        each[k] = one.metric(n, gold.get(f), org.nasbert.stats.Bootstrap.all(one.size()));
                    }
                    mean.put(n, org.nasbert.stats.Moments.mean(each));
                    sd.put(n, org.nasbert.stats.Moments.sampleSd(each));
                }
                String file = new Path(files.get(f).file).getName();
                perFile.put(file, values);
                intervals.put(file, ci);
                seedMean.put(file, mean);
                seedSd.put(file, sd);
            }
            row.put("metrics", perFile);
            row.put("intervals", intervals);
            row.put("seeds", seeds.size());
            if (seeds.size() > 1) {
                row.put("seed_mean", seedMean);
                row.put("seed_sd", seedSd);
            }
            rows.add(row);
        }
        out.put("models", rows);
        List<Map<String, Object>> comparisons = new ArrayList<>();
        for (int f = 0; f < files.size(); f++) {
            List<Predictions> onFile = new ArrayList<>();
            for (List<List<Predictions>> p : predictions) {
                onFile.add(pooled(p, f, pool));
            }
            comparisons.addAll(ScoreStatistics.comparisons(entries, onFile, gold.get(f).repeated(pool), new Path(files.get(f).file).getName(),
                    metricNames, resamples));
        }
        out.put("comparisons", comparisons);
        return out;
    }

    /**
     * A model's predictions of file f, its seeds' pooled, filled to {@code size} seeds by repeating them (only the teacher,
     * fine-tuned once, is filled: it stands beside the others' pools but is never compared).
     */
    private static Predictions pooled(List<List<Predictions>> seeds, int f, int size) {
        List<Predictions> parts = new ArrayList<>();
        for (int k = 0; k < size; k++) {
            parts.add(seeds.get(k % seeds.size()).get(f));
        }
        return Predictions.pooled(parts);
    }

    private static Predictions.Gold gold(List<EncodedExample> data) {
        int[] labels = new int[data.size()];
        double[] values = new double[data.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = data.get(i).label;
            values[i] = data.get(i).score;
        }
        return new Predictions.Gold(labels, values);
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
        for (List<EncodedExample> data : files) {
            out.add(predictions(FineTuner.predict(encoder, head, data, 64), regression));
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
