package org.nasbert.jobs.evaluate;

import org.nasbert.jobs.finetune.FinetuneManifest;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.nasbert.io.Json;
import org.nasbert.io.RunDirectory;
import org.nasbert.stage.Manifest;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code <run>/evaluate/manifest.json}, and {@code metrics.json} beside it (the same fields): every fine-tuned model's
 * scores per file and metric with their bootstrap intervals, and each searched student against its baselines.
 */
public final class EvaluateManifest extends Manifest {
    public String task;
    public String format;
    public List<FinetuneManifest.TaskFile> files = new ArrayList<>();
    /** How the intervals and comparisons were computed. */
    public String statistics;
    public List<Scored> models = new ArrayList<>();
    public List<Comparison> comparisons = new ArrayList<>();

    /** One model's scores: file -> metric -> value (pooled over its seeds), with intervals and the seeds' spread. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static final class Scored {
        public String name;
        public String kind;
        public String constraint;
        public String architecture;
        public Long parameters;
        public Map<String, Map<String, Double>> metrics = new LinkedHashMap<>();
        public Map<String, Map<String, Interval>> intervals = new LinkedHashMap<>();
        public int seeds;
        @JsonProperty("seed_mean")
        public Map<String, Map<String, Double>> seedMean;
        @JsonProperty("seed_sd")
        public Map<String, Map<String, Double>> seedSd;

        /** The first file's first metric: what tables and charts show. */
        public Double firstScore() {
            for (Map<String, Double> byMetric : metrics.values()) {
                for (Double v : byMetric.values()) {
                    return v;
                }
            }
            return null;
        }
    }

    /** A 95% interval. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static final class Interval {
        public double low;
        public double high;
    }

    /** A searched student against one baseline on one file and metric: difference, its interval, the test and verdict. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static final class Comparison {
        public String searched;
        public String baseline;
        public List<String> constraints = new ArrayList<>();
        public String file;
        public String metric;
        public double difference;
        public double low;
        public double high;
        public String test;
        public double p;
        public String verdict;
        /** What the baseline matches for the shared constraints: "parameters", "latency" or both. */
        @JsonProperty("baseline_matches")
        public String baselineMatches;
    }

    public static EvaluateManifest read(RunDirectory run) throws IOException {
        return run.manifest(EvaluateStage.OUTPUT, EvaluateManifest.class);
    }

    /** {@code <run>/evaluate/metrics.json}. */
    public static EvaluateManifest readMetrics(RunDirectory run) throws IOException {
        try (InputStream in = run.fileSystem().open(new org.apache.hadoop.fs.Path(run.path(EvaluateStage.OUTPUT), EvaluateStage.METRICS))) {
            return Json.MAPPER.readValue(in, EvaluateManifest.class);
        }
    }

    /** Per model: kind, constraint, parameters and each file's metrics; teacher first, then as fine-tuned. */
    @Override
    public String headline(String output) {
        StringBuilder s = new StringBuilder(String.format("%s, %d models:", task, models.size()));
        for (Scored row : models) {
            StringBuilder scores = new StringBuilder();
            row.metrics.forEach((file, byMetric) -> byMetric.forEach((metric, value) -> {
                Interval ci = row.intervals.getOrDefault(file, new LinkedHashMap<>()).get(metric);
                scores.append(String.format("  %s %s %.4f%s", file, metric, value, ci != null
                        ? String.format(" [%.4f, %.4f]", ci.low, ci.high) : ""));
            }));
            s.append(String.format("%n               %-12s %-9s %-14s %12s%s", row.name, row.kind, row.constraint,
                    row.parameters != null ? String.format("%,d", row.parameters) : "", scores));
        }
        if (!comparisons.isEmpty()) {
            s.append(String.format("%n             searched - baseline on the same examples (95%% interval; p; at p < 0.05):"));
        }
        for (Comparison c : comparisons) {
            s.append(String.format("%n               %-12s vs %-12s %s %s %+.4f [%+.4f, %+.4f]  p %.3g  %s", c.searched, c.baseline, c.file,
                    c.metric, c.difference, c.low, c.high, c.p, c.verdict));
        }
        return s.append(String.format("%n             %s/metrics.json", output)).toString();
    }
}
