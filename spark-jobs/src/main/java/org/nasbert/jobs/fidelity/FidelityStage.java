package org.nasbert.jobs.fidelity;

import org.nasbert.prep.TokenizeStage;
import java.util.Collections;
import org.apache.hadoop.fs.Path;
import org.nasbert.NasbertException;
import org.nasbert.conf.Setting;
import org.nasbert.io.Json;
import org.nasbert.io.StageOutput;
import org.nasbert.jobs.latency.LatencyStage;
import org.nasbert.jobs.search.SearchStage;
import org.nasbert.jobs.distill.DistillMemory;
import org.nasbert.jobs.distill.DistillStage;
import org.nasbert.jobs.trainblocks.SupernetEvaluator;
import org.nasbert.jobs.trainblocks.SupernetManifest;
import org.nasbert.jobs.trainblocks.CandidatesFile;
import org.nasbert.jobs.trainblocks.TrainBlocksStage;
import org.nasbert.jobs.search.ParetoFile;
import org.nasbert.jobs.search.SearchManifest;
import org.nasbert.jobs.teacher.TeacherManifest;
import org.nasbert.jobs.teacher.TeacherStage;
import org.nasbert.search.ArchitectureSearch;
import org.nasbert.search.FidelitySample;
import org.nasbert.search.FidelitySettings;
import org.nasbert.search.SearchSettings;
import org.nasbert.space.Architecture;
import org.nasbert.space.BlockPath;
import org.nasbert.space.StudentSize;
import org.nasbert.stage.Manifest;
import org.nasbert.stage.MemoryNeed;
import org.nasbert.stage.Stage;
import org.nasbert.stage.StageContext;
import org.nasbert.student.DistillSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * fidelity: does the supernet rank students as standalone training does? The search's chosen students and others spread
 * over the candidates' size range are distilled alone by distill's recipe (fresh weights, one Spark task each, resumable),
 * and their held-out distillation losses are rank-correlated with what the search ranks by (the whole student scored
 * with the supernet's weights) and with the block-wise prediction (the sum of the blocks' losses). Output
 * {@code <run>/fidelity/fidelity.json}.
 */
public final class FidelityStage implements Stage {
    public static final String OUTPUT = "fidelity";
    public static final String FILE = "fidelity.json";
    static final String CHECKPOINTS = "_checkpoints-fidelity";
    private static final Logger LOG = LoggerFactory.getLogger(FidelityStage.class);

    @Override
    public String name() {
        return "fidelity";
    }

    @Override
    public String summary() {
        return "Kendall tau / Spearman rho of the search's ranking against students distilled alone -> <run>/fidelity/fidelity.json";
    }

    @Override
    public String output() {
        return OUTPUT;
    }

    @Override
    public List<Setting<?>> settings() {
        return Arrays.asList(FidelitySettings.ARCHITECTURES, FidelitySettings.RESAMPLES, FidelitySettings.SEED,
                DistillSettings.OBJECTIVE, DistillSettings.MASK_PROBABILITY, DistillSettings.TEMPERATURE, DistillSettings.STEPS,
                DistillSettings.BATCH_SIZE, DistillSettings.LEARNING_RATE, DistillSettings.EVAL_SEQUENCES,
                DistillSettings.CHECKPOINT_EVERY, DistillSettings.SEED);
    }

    @Override
    public List<Stage> inputs() {
        return Arrays.asList(new TokenizeStage(), new TeacherStage(), new LatencyStage(), new TrainBlocksStage(), new SearchStage());
    }

    /** Distill's students, whose losses it reuses when finished. */
    @Override
    public List<Stage> optionalInputs() {
        return Collections.singletonList(new DistillStage());
    }

    @Override
    public Class<FidelityManifest> manifestType() {
        return FidelityManifest.class;
    }

    /**
     * Scoring the students with the supernet, then distilling them alone as {@link #run} picks them (held as distill holds
     * its own, fresh weights).
     */
    @Override
    public MemoryNeed memoryNeed(StageContext context) throws Exception {
        ParetoFile pareto = ParetoFile.read(context.run());
        StudentSize size = searchedSize(context, pareto);
        Map<Architecture, List<String>> chosen = chosen(pareto);
        // first the supernet scores the students, then they are distilled: the larger of the two
        return MemoryNeed.larger(SupernetEvaluator.memoryNeed(context, new MemoryNeed()),
                DistillMemory.of(context, jobs(sample(context, CandidatesFile.readScored(context.run()), chosen, size), chosen, size), false));
    }

    /** The search's own conditions, as it recorded them: its score is what is being tested. */
    private static StudentSize searchedSize(StageContext context, ParetoFile pareto) throws java.io.IOException {
        TeacherManifest.Teacher teacher = TeacherManifest.read(context.run()).teacher;
        return new StudentSize(teacher.vocabSize, teacher.maxPositions, 2, SupernetManifest.read(context.run()).ffnRatio(),
                pareto.embeddingSizeSetting);
    }

    @Override
    public Manifest run(StageContext context, StageOutput output) throws Exception {
        ParetoFile pareto = ParetoFile.read(context.run());
        StudentSize size = searchedSize(context, pareto);
        int scoreSequences = SearchManifest.read(context.run()).recorded(SearchSettings.EVAL_SEQUENCES);
        List<List<ArchitectureSearch.Scored>> blocks = CandidatesFile.readScored(context.run());
        ArchitectureSearch costs = new ArchitectureSearch(blocks, size, LatencyStage.readTable(context), StudentSize.FLOPS_SEQUENCE);

        Map<Architecture, List<String>> chosen = chosen(pareto);
        List<Architecture> students = sample(context, blocks, chosen, size);
        double[] scores;
        try (SupernetEvaluator evaluator = SupernetEvaluator.open(context, scoreSequences)) {
            scores = evaluator.wholeModelLosses(students);
        }
        List<DistillStage.Job> jobs = jobs(students, chosen, size);
        DistilledAlone distilled = DistilledAlone.of(context, settings());
        List<DistillStage.Job> toTrain = new ArrayList<>();
        for (DistillStage.Job j : jobs) {
            if (distilled.result(j) == null) {
                toTrain.add(j);
            }
        }
        LOG.info("fidelity: {} of {} students were distilled alone by distill with this recipe; {} to train", jobs.size() - toTrain.size(),
                jobs.size(), toTrain.size());
        Path checkpoints = new Path(context.run().root(), CHECKPOINTS);
        DistillStage.keepCheckpointsOnlyFor(context, settings(), toTrain, checkpoints, name());
        Path exported = new Path(output.temp(), "_students");
        DistillStage.Trained trained = DistillStage.train(context, name(), toTrain, exported, checkpoints, "fresh");
        output.fileSystem().delete(exported, true); // the losses are the product; the weights are not kept
        context.run().fileSystem().delete(checkpoints, true);
        List<double[]> results = new ArrayList<>();
        for (int i = 0, t = 0; i < jobs.size(); i++) {
            double[] r = distilled.result(jobs.get(i));
            results.add(r != null ? r : trained.results.get(t++));
        }

        List<FidelityReport.Student> rows = new ArrayList<>();
        Map<BlockPath, Double>[] blockLosses = blockLosses(blocks);
        for (int i = 0; i < students.size(); i++) {
            Architecture a = students.get(i);
            double[] terms = terms(a, blockLosses);
            ArchitectureSearch.Proposal p = costs.describe(a, java.util.stream.DoubleStream.of(terms).sum());
            rows.add(new FidelityReport.Student(jobs.get(i).name, a, jobs.get(i).embeddingSize, p.parameters, p.latencyMs,
                    chosen.getOrDefault(a, new ArrayList<>()), scores[i], p.predictedLoss, terms, results.get(i)[0], results.get(i)[1],
                    results.get(i)[2], distilled.result(jobs.get(i)) != null));
        }
        FidelityReport report = FidelityReport.of(rows, context.get(FidelitySettings.RESAMPLES), context.get(FidelitySettings.SEED));
        Map<String, Object> json = report.toJson(scoreSequences, trained, DistillStage.lossDescription(trained.maskedLm));
        try (OutputStream out = output.fileSystem().create(new Path(output.temp(), FILE), false)) {
            out.write(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(json));
        }
        LOG.info("fidelity: {}", report.headline());
        return report.manifest();
    }

    /** One standalone distillation per student: student-01, ...; a chosen one names the constraints it answers. */
    private static List<DistillStage.Job> jobs(List<Architecture> students, Map<Architecture, List<String>> chosen, StudentSize size) {
        List<DistillStage.Job> jobs = new ArrayList<>();
        for (int i = 0; i < students.size(); i++) {
            Architecture a = students.get(i);
            jobs.add(new DistillStage.Job(String.format("student-%02d", i + 1), "fidelity",
                    String.join(DistillStage.CONSTRAINTS_SEPARATOR, chosen.getOrDefault(a, new ArrayList<>())), a,
                    size.embeddingWidth(a.blocks().get(0).hidden())));
        }
        return jobs;
    }

    /** Each distinct student the search chose, with the constraints it answers. */
    public static Map<Architecture, List<String>> chosen(ParetoFile pareto) {
        Map<Architecture, List<String>> out = new LinkedHashMap<>();
        for (ParetoFile.ConstraintResult c : pareto.constraints) {
            if (c.chosen != null) {
                out.computeIfAbsent(Architecture.parse(c.chosen.architecture), k -> new ArrayList<>()).add(c.constraint);
            }
        }
        return out;
    }

    private static List<Architecture> sample(StageContext context, List<List<ArchitectureSearch.Scored>> blocks,
                                             Map<Architecture, List<String>> chosen, StudentSize size) {
        List<List<BlockPath>> paths = new ArrayList<>();
        for (List<ArchitectureSearch.Scored> b : blocks) {
            List<BlockPath> list = new ArrayList<>();
            b.forEach(s -> list.add(s.path));
            paths.add(list);
        }
        int count = context.get(FidelitySettings.ARCHITECTURES);
        long available = FidelitySample.students(paths);
        String key = FidelitySettings.ARCHITECTURES.key();
        if (count > available) {
            throw new NasbertException(key + " = " + count + ", but the block candidates make only " + available
                    + " distinct students; set it to at most " + available);
        }
        if (count < chosen.size()) {
            throw new NasbertException(key + " = " + count + ", but the search chose " + chosen.size() + " distinct students, which "
                    + "the measurement always includes; set it to at least " + chosen.size());
        }
        return FidelitySample.draw(paths, new ArrayList<>(chosen.keySet()), count, size::parameters, context.get(FidelitySettings.SEED));
    }

    @SuppressWarnings("unchecked")
    private static Map<BlockPath, Double>[] blockLosses(List<List<ArchitectureSearch.Scored>> blocks) {
        Map<BlockPath, Double>[] out = new Map[blocks.size()];
        for (int n = 0; n < out.length; n++) {
            out[n] = new HashMap<>();
            for (ArchitectureSearch.Scored s : blocks.get(n)) {
                out[n].put(s.path, s.loss);
            }
        }
        return out;
    }

    /** Each block's candidate loss: the terms whose sum is the block-wise prediction the search ranks its top T by. */
    private static double[] terms(Architecture a, Map<BlockPath, Double>[] blockLosses) {
        double[] out = new double[blockLosses.length];
        for (int n = 0; n < blockLosses.length; n++) {
            out[n] = blockLosses[n].get(a.blocks().get(n));
        }
        return out;
    }

}
