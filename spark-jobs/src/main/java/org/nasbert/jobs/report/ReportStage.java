package org.nasbert.jobs.report;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.nasbert.conf.Setting;
import org.nasbert.io.Json;
import org.nasbert.io.RunDirectory;
import org.nasbert.io.StageOutput;
import org.nasbert.jobs.fidelity.FidelityFile;
import org.nasbert.jobs.fidelity.FidelityManifest;
import org.nasbert.jobs.trainblocks.SupernetManifest;
import org.nasbert.jobs.fidelity.FidelityStage;
import org.nasbert.jobs.evaluate.EvaluateStage;
import org.nasbert.jobs.search.ParetoFile;
import org.nasbert.jobs.search.SearchStage;
import org.nasbert.jobs.distill.DistillStage;
import org.nasbert.jobs.export.ExportManifest;
import org.nasbert.jobs.export.ExportStage;
import org.nasbert.jobs.distill.StudentsManifest;
import org.nasbert.jobs.evaluate.EvaluateManifest;
import org.nasbert.jobs.trainblocks.ShrinkingRoundFile;
import org.nasbert.jobs.trainblocks.TrainBlocksStage;
import org.nasbert.stage.Manifest;
import org.nasbert.stage.Stage;
import org.nasbert.stage.StageContext;
import org.nasbert.supernet.LossCurves;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The run's report, {@code <run>/report/}: report.md with the summary table (per constraint: the searched student's
 * architecture, size, predicted and measured latency, distillation loss and score beside its same-budget baseline's
 * and the teacher's), the Pareto plots of score against latency and size, the block-loss curves and the pruning
 * history as PNG, and summary.json with the table's numbers. Reads finished outputs only; seconds on the driver.
 */
public final class ReportStage implements Stage {
    public static final String OUTPUT = "report";
    public static final String MARKDOWN = "report.md";
    private static final Logger LOG = LoggerFactory.getLogger(ReportStage.class);

    @Override
    public String name() {
        return "report";
    }

    @Override
    public String summary() {
        return "the run's report: summary table, Pareto plots, block-loss curves, pruning history -> <run>/report/report.md";
    }

    @Override
    public String output() {
        return OUTPUT;
    }

    @Override
    public List<Setting<?>> settings() {
        return Collections.emptyList();
    }

    @Override
    public List<Stage> inputs() {
        return Arrays.asList(new TrainBlocksStage(), new SearchStage(), new DistillStage(), new EvaluateStage(), new ExportStage());
    }

    /** Fidelity's table and chart, when it has run. */
    @Override
    public List<Stage> optionalInputs() {
        return Collections.singletonList(new FidelityStage());
    }

    @Override
    public boolean redoneForNewSettings() {
        return true;
    }

    /** The search's constraints that no student met, each with the search's reason. */
    private static List<String> unmetConstraints(RunDirectory run) throws java.io.IOException {
        List<String> unmet = new ArrayList<>();
        for (ParetoFile.ConstraintResult c : ParetoFile.read(run).constraints) {
            if (c.chosen == null) {
                unmet.add(c.constraint + " (" + (c.reason == null ? "no student fits" : c.reason) + ")");
            }
        }
        return unmet;
    }

    @Override
    public Class<ReportManifest> manifestType() {
        return ReportManifest.class;
    }

    @Override
    public Manifest run(StageContext context, StageOutput output) throws Exception {
        RunDirectory run = context.run();
        ExportManifest exported = ExportManifest.read(run);
        RunTable table = RunTable.of(StudentsManifest.read(run), exported, EvaluateManifest.readMetrics(run));
        List<List<double[]>> curves = blockCurves(context);
        Map<Integer, List<double[]>> pruning = pruningHistory(run);
        FidelityFile fidelity = run.isComplete(FidelityStage.OUTPUT) ? FidelityFile.read(run) : null;
        Map<String, byte[]> charts = new LinkedHashMap<>();
        String chartsMissing = null;
        try {
            charts.put("pareto-latency.png", ReportCharts.pareto(table, true));
            charts.put("pareto-parameters.png", ReportCharts.pareto(table, false));
            charts.put("block-losses.png", ReportCharts.blockLosses(curves));
            charts.put("pruning.png", ReportCharts.pruning(pruning));
            if (fidelity != null) {
                charts.put("fidelity.png", ReportCharts.fidelity(fidelity));
            }
        } catch (Exception | Error e) { // no fonts or AWT on this driver: the report still has every number
            LOG.warn("report: charts not drawn", e);
            charts.clear();
            chartsMissing = e.toString();
        }
        FileSystem fs = output.fileSystem();
        for (Map.Entry<String, byte[]> c : charts.entrySet()) {
            write(fs, new Path(output.temp(), c.getKey()), c.getValue());
        }
        List<String> unmet = unmetConstraints(run);
        String markdown = ReportMarkdown.of(run.root().toString(), table, unmet, SupernetManifest.read(run), pruning,
                charts.keySet(), chartsMissing, fidelity, exported);
        write(fs, new Path(output.temp(), MARKDOWN), markdown.getBytes(StandardCharsets.UTF_8));
        ReportManifest manifest = new ReportManifest();
        manifest.rows = ReportMarkdown.rows(table);
        write(fs, new Path(output.temp(), "summary.json"), Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest.rows));
        manifest.score = table.scoreName;
        manifest.teacherScore = table.teacher == null || Double.isNaN(table.teacher.score) ? null : table.teacher.score;
        manifest.constraintsWithoutStudent = unmet;
        manifest.charts = new ArrayList<>(charts.keySet());
        manifest.fidelity = fidelity == null ? null : FidelityManifest.read(run).kendallTau;
        manifest.chartsNotDrawn = chartsMissing;
        return manifest;
    }

    private static List<List<double[]>> blockCurves(StageContext context) throws IOException {
        Path dir = new Path(context.run().path(TrainBlocksStage.OUTPUT), "tensorboard");
        int blocks = SupernetManifest.read(context.run()).evaluation.size();
        List<List<double[]>> out = new ArrayList<>();
        for (int n = 0; n < blocks; n++) {
            out.add(LossCurves.read(dir, n, context.hadoopConf()));
        }
        return out;
    }

    /** Per block: (round, paths in its bins) for round 0 (before shrinking) and after each round. */
    static Map<Integer, List<double[]>> pruningHistory(RunDirectory run) throws IOException {
        Map<Integer, List<double[]>> out = new LinkedHashMap<>();
        for (ShrinkingRoundFile r : ShrinkingRoundFile.readAll(run)) {
            for (ShrinkingRoundFile.Block block : r.blocks) {
                long before = 0;
                long after = 0;
                for (ShrinkingRoundFile.Bin bin : block.bins) {
                    before += bin.pathsBefore;
                    after += bin.pathsAfter;
                }
                List<double[]> points = out.computeIfAbsent(block.block, k -> new ArrayList<>());
                if (points.isEmpty()) {
                    points.add(new double[]{0, before});
                }
                points.add(new double[]{r.round, after});
            }
        }
        return out;
    }

    private static void write(FileSystem fs, Path file, byte[] bytes) throws IOException {
        try (OutputStream out = fs.create(file, false)) {
            out.write(bytes);
        }
    }
}
