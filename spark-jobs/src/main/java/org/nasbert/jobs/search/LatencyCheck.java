package org.nasbert.jobs.search;

import org.apache.spark.api.java.JavaSparkContext;
import org.nasbert.jobs.latency.LatencyManifest;
import org.nasbert.jobs.latency.LatencyStage;
import org.nasbert.supernet.SupernetSettings;
import org.nasbert.latency.LatencyEngine;
import org.nasbert.latency.LatencySettings;
import org.nasbert.space.Architecture;
import org.nasbert.space.StudentSize;
import org.nasbert.stage.StageContext;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The chosen students built whole and timed on an executor in the latency table's engine at its batch, length and
 * threads (in ONNX Runtime: the student as export writes it, fresh weights), beside their parts timed in the same rounds: whether the table's sums predict real students. Only for a table
 * measured on this cluster; an imported one describes other hardware.
 */
public final class LatencyCheck {
    private LatencyCheck() {
    }

    /**
     * Per student (with its embedding size, {@link StudentSize#BLOCK_0} for block 0's width): whole median, p10, p90
     * (ms), runs, and the sum of its parts timed in the same rounds (ms); null if imported.
     */
    public static List<double[]> run(StageContext context, List<Architecture> students, List<Integer> embeddingSizes) throws IOException {
        LatencyManifest latency = LatencyManifest.read(context.run());
        if (!latency.measured() || students.isEmpty()) {
            return null;
        }
        // timed as the table was: the latency stage's settings as it ran
        LatencyEngine meter = LatencyStage.engine(latency.setting(LatencySettings.ENGINE.key(), LatencyEngine.BIGDL),
                latency.recorded(LatencySettings.BATCH),
                latency.recorded(LatencySettings.SEQUENCE_LENGTH),
                latency.recorded(LatencySettings.THREADS), latency.recorded(LatencySettings.RUNS),
                latency.recorded(SupernetSettings.FFN_RATIO)).withOutputWidth(LatencyStage.readTable(context).outputWidth());
        List<Architecture> list = new ArrayList<>(students);
        List<Integer> embeddings = new ArrayList<>(embeddingSizes);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(context.spark().sparkContext());
        return jsc.parallelize(Collections.singletonList(0), 1).flatMap(i -> {
            List<double[]> out = new ArrayList<>();
            for (int k = 0; k < list.size(); k++) {
                LatencyEngine.Comparison c = meter.compare(list.get(k), embeddings.get(k));
                out.add(new double[]{c.whole.medianMs, c.whole.p10Ms, c.whole.p90Ms, c.whole.runs, c.predictedMs});
            }
            return out.iterator();
        }).collect();
    }

    /**
     * Times the chosen students whole (when the latency table was measured here) and records, per student, the
     * measured latency and the prediction's error; returns the median absolute error of the table's predictions.
     */
    static Double checkChosen(StageContext context, List<ParetoFile.Student> chosen, StudentSize size, SearchCache cache) throws IOException {
        if (chosen.isEmpty() || !LatencyManifest.read(context.run()).measured()) {
            return null; // an imported table: nothing is timed here
        }
        List<Architecture> untimed = new ArrayList<>();
        List<Integer> embeddings = new ArrayList<>();
        for (ParetoFile.Student c : chosen) {
            Architecture a = Architecture.parse(c.architecture);
            if (!cache.timings.containsKey(timingKey(a, size.embeddingSize())) && !untimed.contains(a)) {
                untimed.add(a);
                embeddings.add(size.embeddingSize());
            }
        }
        if (!untimed.isEmpty()) {
            List<double[]> timedNow = LatencyCheck.run(context, untimed, embeddings);
            for (int i = 0; i < untimed.size(); i++) {
                cache.timings.put(timingKey(untimed.get(i), embeddings.get(i)), timedNow.get(i));
            }
        }
        List<double[]> timed = new ArrayList<>();
        for (ParetoFile.Student c : chosen) {
            timed.add(cache.timings.get(timingKey(Architecture.parse(c.architecture), size.embeddingSize())));
        }
        List<Double> errors = new ArrayList<>();
        for (int i = 0; i < chosen.size(); i++) {
            double[] t = timed.get(i);
            double predicted = chosen.get(i).latencyMs;
            ParetoFile.MeasuredLatency m = new ParetoFile.MeasuredLatency();
            m.medianMs = t[0];
            m.p10Ms = t[1];
            m.p90Ms = t[2];
            m.runs = (int) t[3];
            m.errorOfTable = (predicted - t[0]) / t[0];
            m.partsTimedAlongsideMs = t[4];
            m.errorOfPartsTimedAlongside = (t[4] - t[0]) / t[0];
            chosen.get(i).measuredLatency = m;
            errors.add(Math.abs((predicted - t[0]) / t[0]));
        }
        errors.sort(Double::compare);
        int n = errors.size();
        return n == 0 ? null : n % 2 == 1 ? errors.get(n / 2) : (errors.get(n / 2 - 1) + errors.get(n / 2)) / 2;
    }

    private static String timingKey(Architecture architecture, int embeddingSize) {
        return architecture + " @ " + embeddingSize;
    }
}
