package org.nasbert.jobs.evaluate;

import org.apache.hadoop.fs.Path;
import org.nasbert.finetune.EncodedExample;
import org.nasbert.jobs.finetune.FinetuneManifest;
import org.nasbert.jobs.finetune.TaskData;
import org.nasbert.stats.Bootstrap;
import org.nasbert.stats.Moments;
import org.nasbert.stats.PairedTest;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * metrics.json's content, built as maps from the predictions: every model's scores per file with bootstrap
 * intervals (and, fine-tuned with several seeds, the seeds' mean and sd), and each searched student compared
 * with its baselines on the same examples.
 */
final class EvaluateMetrics {
    private final FinetuneManifest tuned;
    private final List<TaskData> files;
    private final List<Predictions.Gold> gold = new ArrayList<>();
    private final List<String> metricNames;
    private final int resamples;

    EvaluateMetrics(FinetuneManifest tuned, List<TaskData> files, List<List<EncodedExample>> data, List<String> metricNames,
                    int resamples) {
        this.tuned = tuned;
        this.files = files;
        this.metricNames = metricNames;
        this.resamples = resamples;
        for (List<EncodedExample> d : data) {
            gold.add(gold(d));
        }
    }

    /** {@code predictions}: model (finetune's order) -> seed -> file; {@code baselineFor}: the roles of each baseline. */
    Map<String, Object> of(Map<String, List<String>> baselineFor, List<List<List<Predictions>>> predictions) {
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
                + PairedTest.ALPHA + "; a model fine-tuned with several seeds is scored on its seeds' predictions "
                + "pooled (each seed's prediction of an example is one observation, paired with the baseline's of the same seed), "
                + "and seed_mean / seed_sd are its scores' mean and standard deviation over the seeds");
        List<Map<String, Object>> rows = new ArrayList<>();
        List<ScoreStatistics.Entry> entries = new ArrayList<>();
        for (int i = 0; i < predictions.size(); i++) {
            FinetuneManifest.Model m = tuned.models.get(i);
            List<String> roles = new ArrayList<>(baselineFor.getOrDefault(m.name, Collections.emptyList()));
            entries.add(new ScoreStatistics.Entry(m.name, m.kind, m.constraint, roles));
            rows.add(row(m, predictions.get(i)));
        }
        out.put("models", rows);
        out.put("comparisons", comparisons(entries, predictions));
        return out;
    }

    /** One model's scores per file, their intervals, and over several seeds the seeds' mean and sd. */
    private Map<String, Object> row(FinetuneManifest.Model m, List<List<Predictions>> seeds) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("name", m.name);
        row.put("kind", m.kind);
        row.put("constraint", m.constraint);
        row.put("architecture", m.architecture);
        if (m.parameters != null) {
            row.put("parameters", m.parameters);
        }
        Map<String, Object> perFile = new LinkedHashMap<>();
        Map<String, Object> intervals = new LinkedHashMap<>();
        Map<String, Object> seedMean = new LinkedHashMap<>();
        Map<String, Object> seedSd = new LinkedHashMap<>();
        for (int f = 0; f < files.size(); f++) {
            Predictions p = pooled(seeds, f, seeds.size());
            Predictions.Gold g = gold.get(f).repeated(seeds.size());
            Map<String, Double> values = new LinkedHashMap<>();
            Map<String, Object> ci = new LinkedHashMap<>();
            Map<String, Double> mean = new LinkedHashMap<>();
            Map<String, Double> sd = new LinkedHashMap<>();
            for (String n : metricNames) {
                values.put(n, p.metric(n, g, Bootstrap.all(p.size())));
                ci.put(n, ScoreStatistics.interval(p, g, n, resamples));
                double[] each = new double[seeds.size()];
                for (int k = 0; k < each.length; k++) {
                    Predictions one = seeds.get(k).get(f);
                    each[k] = one.metric(n, gold.get(f), Bootstrap.all(one.size()));
                }
                mean.put(n, Moments.mean(each));
                sd.put(n, Moments.sampleSd(each));
            }
            String file = fileName(f);
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
        return row;
    }

    /** Every searched student against its baselines, per file, on the pooled predictions. */
    private List<Map<String, Object>> comparisons(List<ScoreStatistics.Entry> entries, List<List<List<Predictions>>> predictions) {
        int pool = 1;
        for (List<List<Predictions>> p : predictions) {
            pool = Math.max(pool, p.size());
        }
        List<Map<String, Object>> comparisons = new ArrayList<>();
        for (int f = 0; f < files.size(); f++) {
            List<Predictions> onFile = new ArrayList<>();
            for (List<List<Predictions>> p : predictions) {
                onFile.add(pooled(p, f, pool));
            }
            comparisons.addAll(ScoreStatistics.comparisons(entries, onFile, gold.get(f).repeated(pool), fileName(f), metricNames,
                    resamples));
        }
        return comparisons;
    }

    private String fileName(int f) {
        return new Path(files.get(f).file).getName();
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
}
