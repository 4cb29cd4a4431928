package org.nasbert.jobs.evaluate;

import org.nasbert.jobs.distill.DistillStage;
import org.nasbert.stats.Bootstrap;
import org.nasbert.stats.PairedTest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The uncertainty of evaluate's scores: a percentile-bootstrap 95% interval of every metric (the examples resampled, the
 * same resamples for every model of a file), and every searched student against every baseline that stands for one of
 * its constraints on the same examples: McNemar's exact test for accuracy, a paired bootstrap for the other metrics.
 */
final class ScoreStatistics {
    /** Resamples are drawn from this seed for every file, so every model is resampled alike. */
    static final long SEED = 42;

    private ScoreStatistics() {
    }

    /** One metric's interval: {"low", "high"}. */
    static Map<String, Double> interval(Predictions p, Predictions.Gold gold, String metric, int resamples) {
        Bootstrap.Interval ci = Bootstrap.interval(p.size(), idx -> p.metric(metric, gold, idx), resamples, SEED);
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("low", ci.low);
        out.put("high", ci.high);
        return out;
    }

    /** A model as the comparisons need it: name, kind and the constraints it stands for. */
    static final class Entry {
        final String name;
        final String kind;
        final List<String> constraints;
        /** A baseline's role per constraint (parameters or latency); empty when not recorded. */
        final List<String> roles;

        Entry(String name, String kind, String constraint) {
            this(name, kind, constraint, new ArrayList<>());
        }

        Entry(String name, String kind, String constraint, List<String> roles) {
            this.name = name;
            this.kind = kind;
            this.constraints = constraint.isEmpty() ? new ArrayList<>() : DistillStage.constraints(constraint);
            this.roles = roles;
        }

        /** What this baseline matches the searched student in for these constraints: "parameters", "latency" or both. */
        String matches(List<String> shared) {
            java.util.Set<String> out = new java.util.TreeSet<>();
            for (int i = 0; i < constraints.size(); i++) {
                if (shared.contains(constraints.get(i))) {
                    out.add(i < roles.size() ? roles.get(i) : "parameters");
                }
            }
            return String.join(",", out);
        }
    }

    /**
     * Every (searched, baseline) pair that shares a constraint, on one file, for each metric: the difference searched −
     * baseline with its paired-bootstrap interval, the test's p-value and the verdict.
     */
    static List<Map<String, Object>> comparisons(List<Entry> models, List<Predictions> predictions, Predictions.Gold gold, String file,
                                                 List<String> metrics, int resamples) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (int s = 0; s < models.size(); s++) {
            for (int b = 0; b < models.size(); b++) {
                List<String> shared = shared(models.get(s), models.get(b));
                if (shared.isEmpty()) {
                    continue;
                }
                for (String metric : metrics) {
                    Map<String, Object> c = compare(models.get(s).name, models.get(b).name, shared, predictions.get(s), predictions.get(b),
                            gold, file, metric, resamples);
                    c.put("baseline_matches", models.get(b).matches(shared));
                    out.add(c);
                }
            }
        }
        return out;
    }

    private static List<String> shared(Entry searched, Entry baseline) {
        List<String> out = new ArrayList<>();
        if ("searched".equals(searched.kind) && "baseline".equals(baseline.kind)) {
            for (String c : searched.constraints) {
                if (baseline.constraints.contains(c) && !out.contains(c)) {
                    out.add(c);
                }
            }
        }
        return out;
    }

    private static Map<String, Object> compare(String searched, String baseline, List<String> constraints, Predictions a, Predictions b,
                                               Predictions.Gold gold, String file, String metric, int resamples) {
        List<Predictions> both = Arrays.asList(a, b);
        PairedTest.Result bootstrap = PairedTest.pairedBootstrap(a.size(), (m, idx) -> both.get(m).metric(metric, gold, idx), resamples, SEED);
        PairedTest.Result test = bootstrap;
        if ("accuracy".equals(metric)) {
            boolean[] rightA = new boolean[a.size()];
            boolean[] rightB = new boolean[b.size()];
            for (int i = 0; i < rightA.length; i++) {
                rightA[i] = a.right(gold, i);
                rightB[i] = b.right(gold, i);
            }
            test = PairedTest.mcnemar(rightA, rightB);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("searched", searched);
        out.put("baseline", baseline);
        out.put("constraints", constraints);
        out.put("file", file);
        out.put("metric", metric);
        out.put("difference", bootstrap.difference);
        out.put("low", bootstrap.low);
        out.put("high", bootstrap.high);
        out.put("test", test.test);
        out.put("p", test.p);
        out.put("verdict", test.verdict());
        return out;
    }
}
