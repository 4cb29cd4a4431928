package org.nasbert.jobs.fidelity;

import org.nasbert.jobs.distill.DistillStage;
import org.nasbert.space.Architecture;
import org.nasbert.stats.Bootstrap;
import org.nasbert.stats.LinearFit;
import org.nasbert.stats.RankCorrelation;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fidelity measurement's numbers: each student with its search score, block-wise prediction and standalone loss,
 * and Kendall's tau and Spearman's rho of each predictor against the standalone loss with bootstrap 95% intervals
 * (architectures resampled). Positive = the predictor orders students as standalone training does; parameters are the
 * reference a predictor should beat (bigger students usually distil to lower losses, so their correlation is negative).
 */
final class FidelityReport {
    /** The predictors, as fidelity.json names them. */
    static final String[] PREDICTORS = {"search_score", "predicted_loss", "parameters", "calibrated_block_losses"};

    static final class Student {
        final String name;
        final Architecture architecture;
        final int embeddingSize;
        final long parameters;
        final double latencyMs;
        final List<String> chosenFor;
        final double searchScore;
        final double predictedLoss;
        final double standaloneLossAtInit;
        final double standaloneLoss;
        final double seconds;
        /** Whether distill's run of this student stands in for fidelity's own (the same training: {@link DistilledAlone}). */
        final boolean byDistill;
        /** Each block's candidate loss (the terms of predictedLoss). */
        final double[] blockLosses;
        /** The calibrated predictor's leave-one-out prediction (NaN when the sample is too small to calibrate). */
        double calibrated = Double.NaN;

        Student(String name, Architecture architecture, int embeddingSize, long parameters, double latencyMs, List<String> chosenFor,
                double searchScore, double predictedLoss, double[] blockLosses, double standaloneLossAtInit, double standaloneLoss,
                double seconds, boolean byDistill) {
            this.byDistill = byDistill;
            this.blockLosses = blockLosses;
            this.name = name;
            this.architecture = architecture;
            this.embeddingSize = embeddingSize;
            this.parameters = parameters;
            this.latencyMs = latencyMs;
            this.chosenFor = chosenFor;
            this.searchScore = searchScore;
            this.predictedLoss = predictedLoss;
            this.standaloneLossAtInit = standaloneLossAtInit;
            this.standaloneLoss = standaloneLoss;
            this.seconds = seconds;
        }

        double predictor(String name) {
            return "search_score".equals(name) ? searchScore : "predicted_loss".equals(name) ? predictedLoss
                    : "parameters".equals(name) ? parameters : calibrated;
        }
    }

    private final List<Student> students;
    private final Map<String, Bootstrap.Interval> tau = new LinkedHashMap<>();
    private final Map<String, Bootstrap.Interval> rho = new LinkedHashMap<>();
    private final int resamples;
    private final long seed;

    private FidelityReport(List<Student> students, int resamples, long seed) {
        this.students = students;
        this.resamples = resamples;
        this.seed = seed;
    }

    static FidelityReport of(List<Student> students, int resamples, long seed) {
        FidelityReport r = new FidelityReport(students, resamples, seed);
        double[] standalone = new double[students.size()];
        for (int i = 0; i < standalone.length; i++) {
            standalone[i] = students.get(i).standaloneLoss;
        }
        r.calibrate(standalone);
        for (String p : PREDICTORS) {
            if ("calibrated_block_losses".equals(p) && r.weights == null) {
                continue;
            }
            double[] x = new double[students.size()];
            for (int i = 0; i < x.length; i++) {
                x[i] = students.get(i).predictor(p);
            }
            r.tau.put(p, Bootstrap.interval(x.length, idx -> RankCorrelation.kendallTau(pick(x, idx), pick(standalone, idx)), resamples, seed));
            r.rho.put(p, Bootstrap.interval(x.length, idx -> RankCorrelation.spearman(pick(x, idx), pick(standalone, idx)), resamples, seed));
        }
        return r;
    }

    /** Least-squares weights of the block losses (intercept first), fitted to every student; null when too few to fit. */
    private double[] weights;

    /**
     * The block losses weighted by a linear fit to the standalone losses instead of summed: each student's prediction
     * comes from a fit to the others (leave-one-out), so its correlation is an honest estimate of what a calibrated
     * ranking would achieve on students it has not seen.
     */
    private void calibrate(double[] standalone) {
        int blocks = students.get(0).blockLosses.length;
        if (students.size() < blocks + 3) {
            return; // leave-one-out needs at least two more students than weights
        }
        double[][] x = new double[students.size()][];
        for (int i = 0; i < x.length; i++) {
            x[i] = students.get(i).blockLosses;
        }
        double[] loo = LinearFit.leaveOneOut(x, standalone);
        for (int i = 0; i < loo.length; i++) {
            students.get(i).calibrated = loo[i];
        }
        weights = LinearFit.fit(x, standalone);
    }

    private static double[] pick(double[] v, int[] idx) {
        double[] out = new double[idx.length];
        for (int i = 0; i < idx.length; i++) {
            out[i] = v[idx[i]];
        }
        return out;
    }

    Bootstrap.Interval tau(String predictor) {
        return tau.get(predictor);
    }

    /** fidelity.json's body. */
    Map<String, Object> toJson(int scoreSequences, DistillStage.Trained trained, String lossMeaning) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("students_distilled", students.size());
        out.put("kendall_tau", intervals(tau));
        out.put("spearman_rho", intervals(rho));
        Map<String, Object> meaning = new LinkedHashMap<>();
        meaning.put("standalone_loss", lossMeaning + "; each student distilled alone from fresh weights by distill's recipe");
        meaning.put("search_score", "the whole student chained from the teacher's embeddings with the supernet's weights, mean squared "
                + "error per element against the teacher's last hidden state on " + scoreSequences + " held-out sequences (what the "
                + "search chooses by)");
        meaning.put("predicted_loss", "sum of the blocks' held-out losses, each block fed the teacher's state (what the search ranks its "
                + "top T by)");
        meaning.put("parameters", "the student's weights (the reference a predictor should beat)");
        meaning.put("calibrated_block_losses", "the blocks' losses weighted by least squares against the standalone losses (not "
                + "summed), each student predicted by a fit to the others (leave-one-out); needs blocks + 3 students");
        meaning.put("correlation", "against standalone_loss over the students; positive = same order; interval: percentile "
                + "bootstrap over the students, " + resamples + " resamples, seed " + seed + ", resamples with a constant side left out");
        out.put("meaning", meaning);
        if (weights != null) {
            out.put("calibration_weights", weights); // intercept, then one per block, fitted to every student
        }
        out.put("training_sequences", trained.trainingSequences);
        out.put("held_out_sequences", trained.heldOutSequences);
        List<Map<String, Object>> list = new ArrayList<>();
        for (Student s : students) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", s.name);
            m.put("architecture", s.architecture.toString());
            m.put("embedding_size", s.embeddingSize);
            m.put("parameters", s.parameters);
            m.put("latency_ms", s.latencyMs);
            m.put("chosen_for", s.chosenFor);
            m.put("search_score", s.searchScore);
            m.put("predicted_loss", s.predictedLoss);
            m.put("block_losses", s.blockLosses);
            m.put("calibrated_block_losses", finite(s.calibrated));
            m.put("standalone_loss_at_init", s.standaloneLossAtInit);
            m.put("standalone_loss", s.standaloneLoss);
            m.put("seconds", s.seconds);
            m.put("trained_by", s.byDistill ? "distill" : "fidelity");
            list.add(m);
        }
        out.put("students", list);
        return out;
    }

    FidelityManifest manifest() {
        FidelityManifest out = new FidelityManifest();
        out.studentsDistilled = students.size();
        out.kendallTau = correlations(tau);
        out.spearmanRho = correlations(rho);
        return out;
    }

    private static Map<String, FidelityManifest.Correlation> correlations(Map<String, Bootstrap.Interval> m) {
        Map<String, FidelityManifest.Correlation> out = new LinkedHashMap<>();
        for (Map.Entry<String, Bootstrap.Interval> e : m.entrySet()) {
            FidelityManifest.Correlation c = new FidelityManifest.Correlation();
            c.estimate = finite(e.getValue().estimate);
            c.low = finite(e.getValue().low);
            c.high = finite(e.getValue().high);
            c.resamplesLeftOut = e.getValue().undefined;
            out.put(e.getKey(), c);
        }
        return out;
    }

    /** One line: the search score's tau and rho with their intervals, and the parameters' tau for reference. */
    String headline() {
        return String.format("%d students distilled alone; search score vs standalone loss: Kendall tau %s, Spearman rho %s "
                + "(block-wise prediction: tau %s; parameters: tau %s; block losses calibrated, leave-one-out: tau %s)", students.size(),
                tau.get("search_score"), rho.get("search_score"), tau.get("predicted_loss"), tau.get("parameters"),
                tau.containsKey("calibrated_block_losses") ? tau.get("calibrated_block_losses") : "too few students");
    }

    private static Map<String, Object> intervals(Map<String, Bootstrap.Interval> m) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, Bootstrap.Interval> e : m.entrySet()) {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("estimate", finite(e.getValue().estimate));
            v.put("low", finite(e.getValue().low));
            v.put("high", finite(e.getValue().high));
            v.put("resamples_left_out", e.getValue().undefined);
            out.put(e.getKey(), v);
        }
        return out;
    }

    /** JSON has no NaN: an undefined correlation (a constant side) is null. */
    private static Double finite(double v) {
        return Double.isNaN(v) ? null : v;
    }
}
