package org.nasbert.jobs.finetune;

import com.fasterxml.jackson.databind.JsonNode;
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
import org.nasbert.finetune.FinetuneSettings;
import org.nasbert.finetune.ModuleWeights;
import org.nasbert.finetune.StudentEncoder;
import org.nasbert.finetune.TaskHead;
import org.nasbert.finetune.TeacherEncoder;
import org.nasbert.io.StageOutput;
import org.nasbert.prep.TokenizeStage;
import org.nasbert.stage.Stage;
import org.nasbert.stage.StageContext;
import org.nasbert.student.StudentExport;
import org.nasbert.tasks.Metrics;
import org.nasbert.tasks.TaskFormat;
import org.nasbert.teacher.BertWeights;
import org.nasbert.teacher.TeacherCheckpoint;
import org.nasbert.teacher.TeacherSettings;
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
        return Arrays.asList(FinetuneSettings.EVAL_FILES, FinetuneSettings.MAX_LENGTH, FinetuneSettings.RESAMPLES);
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
    public Map<String, Object> run(StageContext context, StageOutput output) throws Exception {
        Path finetuned = context.run().requireComplete(FinetuneStage.OUTPUT, "finetune");
        JsonNode tuned = context.run().manifest(FinetuneStage.OUTPUT);
        TaskFormat format = TaskFormat.named(tuned.path("format").asText(), context.run().path(FinetuneStage.OUTPUT) + "/manifest.json");
        List<String> labels = new ArrayList<>();
        tuned.path("labels").forEach(l -> labels.add(l.asText()));
        WordPieceVocabulary vocabulary = TokenizeStage.loadVocabulary(context);
        List<TaskData> files = new ArrayList<>();
        List<List<EncodedExample>> data = new ArrayList<>();
        for (String f : context.get(FinetuneSettings.EVAL_FILES).split(",")) {
            TaskData d = TaskData.read(context, TaskData.resolve(context, f), format, vocabulary);
            if (d.examples.isEmpty()) {
                throw new NasbertException(d.file + " has no usable example (skipped: " + d.read.skipped + ")");
            }
            files.add(d);
            data.add(d.relabeled(format.regression() ? null : labels));
        }
        List<Model> models = new ArrayList<>(); // every seed's fine-tuning of every model, in the manifest's order
        List<Integer> seedsOf = new ArrayList<>();
        for (JsonNode m : tuned.path("models")) {
            List<String> dirs = new ArrayList<>();
            m.path("seeds").forEach(r -> dirs.add(r.path("dir").asText()));
            if (dirs.isEmpty()) {
                dirs.add(m.path("name").asText());
            }
            for (String d : dirs) {
                models.add(new Model(m.path("name").asText(), new Path(finetuned, d).toString(), m.path("layers_trained").asInt(0)));
            }
            seedsOf.add(dirs.size());
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(context.spark().sparkContext());
        BigDl.init(context.spark().sparkContext());
        Broadcast<BertWeights> weights = jsc.broadcast(TeacherCheckpoint.open(context.get(TeacherSettings.MODEL), context.hadoopConf()).weights());
        Broadcast<List<List<EncodedExample>>> shared = jsc.broadcast(data);
        int outputs = tuned.path("outputs").asInt();
        boolean regression = format.regression();
        List<String> metricNames = new ArrayList<>();
        format.metrics().forEach(x -> metricNames.add(x.name().toLowerCase(java.util.Locale.ROOT)));
        List<List<Predictions>> bySeed = jsc.parallelize(models, models.size())
                .map(m -> predict(m, weights.value(), shared.value(), outputs, regression)).collect();
        List<List<List<Predictions>>> predictions = new ArrayList<>(); // model -> seed -> file
        for (int i = 0, from = 0; i < seedsOf.size(); from += seedsOf.get(i), i++) {
            predictions.add(bySeed.subList(from, from + seedsOf.get(i)));
        }
        weights.destroy();
        shared.destroy();
        Map<String, JsonNode> baselineFor = new java.util.HashMap<>();
        for (JsonNode st : context.run().manifest(org.nasbert.jobs.students.DistillStage.OUTPUT).path("students")) {
            baselineFor.put(st.path("name").asText(), st.path(org.nasbert.jobs.students.DistillStage.BASELINE_FOR));
        }
        Map<String, Object> result = metrics(tuned, baselineFor, files, data, predictions, metricNames, context.get(FinetuneSettings.RESAMPLES));
        try (java.io.OutputStream out = output.fileSystem().create(new Path(output.temp(), METRICS), false)) {
            out.write(org.nasbert.io.Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(result));
        }
        try (java.io.OutputStream out = output.fileSystem().create(new Path(output.temp(), REPORT), false)) {
            out.write(ScoreReport.markdown(org.nasbert.io.Json.MAPPER.valueToTree(result)).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return result;
    }

    private static Map<String, Object> metrics(JsonNode tuned, Map<String, JsonNode> baselineFor, List<TaskData> files, List<List<EncodedExample>> data,
                                               List<List<List<Predictions>>> predictions, List<String> metricNames, int resamples) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("task", tuned.path("task").asText());
        out.put("format", tuned.path("format").asText());
        List<Map<String, Object>> described = new ArrayList<>();
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
            JsonNode m = tuned.path("models").get(i);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", m.path("name").asText());
            row.put("kind", m.path("kind").asText());
            row.put("constraint", m.path("constraint").asText());
            row.put("architecture", m.path("architecture").asText());
            if (m.has("parameters")) {
                row.put("parameters", m.path("parameters").asLong());
            }
            List<String> roles = new ArrayList<>();
            baselineFor.getOrDefault(m.path("name").asText(), com.fasterxml.jackson.databind.node.MissingNode.getInstance())
                    .forEach(r -> roles.add(r.asText()));
            entries.add(new ScoreStatistics.Entry(m.path("name").asText(), m.path("kind").asText(), m.path("constraint").asText(), roles));
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
