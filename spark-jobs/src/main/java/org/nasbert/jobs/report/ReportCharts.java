package org.nasbert.jobs.report;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The report's charts, drawn by XChart and encoded as PNG. */
final class ReportCharts {
    private static final int WIDTH = 900;
    private static final int HEIGHT = 560;

    private ReportCharts() {
    }

    /**
     * Score against measured latency (ms) or parameters (millions) for the searched students, the baselines and the
     * teacher (a point where its x is known, else a horizontal line across the plot).
     */
    static byte[] pareto(RunTable table, boolean byLatency) throws IOException {
        String x = byLatency ? "measured latency (ms)" : "parameters (millions)";
        String task = new org.apache.hadoop.fs.Path(table.task).getName();
        XYChart chart = scatter((byLatency ? "Score against latency" : "Score against size") + ": " + task, x, table.scoreName);
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (String kind : new String[]{"searched", "baseline"}) {
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            for (RunTable.Model m : table.ofKind(kind)) {
                double v = byLatency ? m.measuredMs : m.parameters / 1e6;
                if (!Double.isNaN(v) && !Double.isNaN(m.score)) {
                    xs.add(v);
                    ys.add(m.score);
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
            if (!xs.isEmpty()) {
                XYSeries s = chart.addSeries("searched".equals(kind) ? "searched students" : "uniform baselines", xs, ys);
                s.setMarker("searched".equals(kind) ? SeriesMarkers.CIRCLE : SeriesMarkers.SQUARE);
            }
        }
        if (table.teacher != null && !Double.isNaN(table.teacher.score)) {
            if (byLatency) {
                if (lo <= hi) {
                    XYSeries t = chart.addSeries("teacher (not timed here)", new double[]{lo, hi},
                            new double[]{table.teacher.score, table.teacher.score});
                    t.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
                    t.setMarker(SeriesMarkers.NONE);
                }
            } else {
                chart.addSeries("teacher", new double[]{table.teacher.parameters / 1e6}, new double[]{table.teacher.score})
                        .setMarker(SeriesMarkers.DIAMOND);
            }
        }
        return png(chart);
    }

    /** fidelity.json: each student's standalone loss against the search's score, the chosen ones apart. */
    static byte[] fidelity(org.nasbert.jobs.fidelity.FidelityFile fidelity) throws IOException {
        XYChart chart = scatter("Ranking fidelity: search score against standalone distillation", "search score (supernet, whole student)",
                "standalone held-out loss");
        for (boolean chosen : new boolean[]{true, false}) {
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            for (org.nasbert.jobs.fidelity.FidelityFile.Student s : fidelity.students) {
                if (!s.chosenFor.isEmpty() == chosen) {
                    xs.add(s.searchScore);
                    ys.add(s.standaloneLoss);
                }
            }
            if (!xs.isEmpty()) {
                chart.addSeries(chosen ? "chosen by the search" : "sampled across the size range", xs, ys)
                        .setMarker(chosen ? SeriesMarkers.DIAMOND : SeriesMarkers.CIRCLE);
            }
        }
        return png(chart);
    }

    /** Training loss against step, one line per block (empty blocks left out). */
    static byte[] blockLosses(List<List<double[]>> curves) throws IOException {
        XYChart chart = lines("Block-wise distillation: training loss", "step", "loss (MSE per element)");
        for (int n = 0; n < curves.size(); n++) {
            addLine(chart, "block " + n, curves.get(n));
        }
        return png(chart);
    }

    /** Candidate paths per block before shrinking (round 0) and after each round. */
    static byte[] pruning(Map<Integer, List<double[]>> pathsPerBlock) throws IOException {
        XYChart chart = lines("Progressive shrinking: paths left per block", "round", "paths");
        for (Map.Entry<Integer, List<double[]>> e : pathsPerBlock.entrySet()) {
            addLine(chart, "block " + e.getKey(), e.getValue());
        }
        return png(chart);
    }

    private static void addLine(XYChart chart, String name, List<double[]> points) {
        if (points.isEmpty()) {
            return;
        }
        double[] xs = new double[points.size()];
        double[] ys = new double[points.size()];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = points.get(i)[0];
            ys[i] = points.get(i)[1];
        }
        chart.addSeries(name, xs, ys).setMarker(points.size() > 40 ? SeriesMarkers.NONE : SeriesMarkers.CIRCLE);
    }

    private static XYChart scatter(String title, String x, String y) {
        XYChart chart = lines(title, x, y);
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setMarkerSize(10);
        return chart;
    }

    private static XYChart lines(String title, String x, String y) {
        headless();
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(x).yAxisTitle(y).build();
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        chart.getStyler().setXAxisTickMarkSpacingHint(90);
        return chart;
    }

    private static byte[] png(XYChart chart) throws IOException {
        return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
    }

    /** Drivers on cluster nodes have no display; AWT must not look for one. */
    private static void headless() {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }
}
