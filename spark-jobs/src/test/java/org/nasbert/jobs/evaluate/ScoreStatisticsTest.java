package org.nasbert.jobs.evaluate;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * evaluate's comparisons: a searched student meets exactly the baselines that stand for one of its constraints, accuracy
 * by McNemar's exact test (p from scipy.stats.binomtest), F1 by the paired bootstrap, differences taken on the same examples.
 */
class ScoreStatisticsTest {
    @Test
    void aSearchedStudentMeetsTheBaselinesOfItsConstraints() {
        // 120 examples, gold all 1; the searched student right on 112, baseline-a on 103 of them: 100 both right, 12 only the
        // searched, 3 only the baseline, 5 neither -> McNemar on (12, 3): binomtest(3, 15) = 0.03515625
        int n = 120;
        int[] gold = new int[n];
        int[] searched = new int[n];
        int[] baselineA = new int[n];
        for (int i = 0; i < n; i++) {
            gold[i] = 1;
            searched[i] = i < 112 ? 1 : 0;
            baselineA[i] = i < 100 || (i >= 112 && i < 115) ? 1 : 0;
        }
        List<ScoreStatistics.Entry> models = Arrays.asList(new ScoreStatistics.Entry("teacher", "teacher", ""),
                new ScoreStatistics.Entry("searched-01", "searched", "params=3M;latency=4ms"),
                new ScoreStatistics.Entry("baseline-01", "baseline", "params=3M"),
                new ScoreStatistics.Entry("baseline-02", "baseline", "params=6M"),
                new ScoreStatistics.Entry("baseline-03", "baseline", "latency=4ms"));
        List<Predictions> predictions = Arrays.asList(Predictions.ofLabels(gold), Predictions.ofLabels(searched),
                Predictions.ofLabels(baselineA), Predictions.ofLabels(searched), Predictions.ofLabels(searched));
        List<Map<String, Object>> c = ScoreStatistics.comparisons(models, predictions, new Predictions.Gold(gold, new double[n]), "dev.tsv",
                Arrays.asList("accuracy", "f1"), 1000);
        assertEquals(4, c.size(), "baseline-01 and baseline-03, two metrics each; never the teacher or baseline-02: " + c);
        Map<String, Object> accuracy = c.get(0);
        assertEquals("baseline-01", accuracy.get("baseline"));
        assertEquals(Arrays.asList("params=3M"), accuracy.get("constraints"));
        assertEquals((112 - 103) / 120.0, (Double) accuracy.get("difference"), 1e-15);
        assertEquals(0.03515625, (Double) accuracy.get("p"), 1e-15);
        assertEquals("better", accuracy.get("verdict"));
        Map<String, Object> f1 = c.get(1);
        assertEquals("paired-bootstrap", f1.get("test"));
        assertTrue((Double) f1.get("low") > 0, "the searched student's F1 is higher on every resample: " + f1);
        Map<String, Object> same = c.get(2); // baseline-03 predicts exactly what the searched student does
        assertEquals("baseline-03", same.get("baseline"));
        assertEquals(0.0, (Double) same.get("difference"), 0);
        assertEquals(1.0, (Double) same.get("p"), 0);
        assertEquals("not distinguishable", same.get("verdict"));
    }

    @Test
    void anIntervalBracketsTheScore() {
        int[] gold = new int[200];
        int[] predicted = new int[200];
        for (int i = 0; i < gold.length; i++) {
            gold[i] = i % 2;
            predicted[i] = i % 5 == 0 ? 1 - gold[i] : gold[i]; // 80% right
        }
        Map<String, Double> ci = ScoreStatistics.interval(Predictions.ofLabels(predicted), new Predictions.Gold(gold, null), "accuracy", 2000);
        // normal approximation: 0.8 +- 1.96 sqrt(0.8 * 0.2 / 200) = [0.745, 0.855]
        assertEquals(0.745, ci.get("low"), 0.015);
        assertEquals(0.855, ci.get("high"), 0.015);
    }
}
