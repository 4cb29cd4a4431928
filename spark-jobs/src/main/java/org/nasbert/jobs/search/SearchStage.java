package org.nasbert.jobs.search;

import org.nasbert.latency.LatencySettings;
import org.nasbert.prep.TokenizeStage;
import org.nasbert.jobs.fidelity.FidelityStage;
import java.util.Collections;
import org.apache.hadoop.fs.Path;
import org.nasbert.NasbertException;
import org.nasbert.conf.Setting;
import org.nasbert.io.StageOutput;
import org.nasbert.jobs.latency.LatencyStage;
import org.nasbert.jobs.trainblocks.SupernetEvaluator;
import org.nasbert.jobs.trainblocks.SupernetManifest;
import org.nasbert.jobs.trainblocks.CandidatesFile;
import org.nasbert.jobs.trainblocks.TrainBlocksStage;
import org.nasbert.jobs.teacher.TeacherManifest;
import org.nasbert.jobs.teacher.TeacherStage;
import org.nasbert.latency.LatencyTable;
import org.nasbert.search.ArchitectureSearch;
import org.nasbert.search.Constraint;
import org.nasbert.search.SearchSettings;
import org.nasbert.space.Architecture;
import org.nasbert.space.StudentSize;
import org.nasbert.stage.Manifest;
import org.nasbert.stage.MemoryNeed;
import org.nasbert.stage.Stage;
import org.nasbert.stage.StageContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * search (driver side): for each constraint, the T students of least predicted loss (sum of block losses from
 * shrinking's candidates) within it, exactly; those are scored whole on held-out data with the supernet's weights
 * and the best is chosen. Output {@code <run>/search/pareto.json}: per constraint the chosen architecture with
 * its predicted and measured loss, parameters, FLOPs and latency, and the Pareto front of every student scored.
 * A new constraint redoes only this stage, from the stored tables.
 */
public final class SearchStage implements Stage {
    public static final String OUTPUT = "search";
    public static final String PARETO = "pareto.json";
    /** The field of pareto.json (per student) and of the students' manifests that holds the embedding tables' width. */
    public static final String EMBEDDING_SIZE = "embedding_size";
    private static final Logger LOG = LoggerFactory.getLogger(SearchStage.class);

    @Override
    public String name() {
        return "search";
    }

    @Override
    public String summary() {
        return "best student per constraint from the block candidates, re-evaluated whole -> <run>/search/pareto.json";
    }

    @Override
    public String output() {
        return OUTPUT;
    }

    @Override
    public List<Setting<?>> settings() {
        // the latency conditions too: the search refuses a table timed under other ones than the settings ask for
        return Arrays.asList(SearchSettings.CONSTRAINT, SearchSettings.TOP, SearchSettings.EVAL_SEQUENCES,
                SearchSettings.EMBEDDING_SIZE, SearchSettings.RANK_BY, LatencySettings.ENGINE, LatencySettings.BATCH,
                LatencySettings.SEQUENCE_LENGTH, LatencySettings.THREADS);
    }

    @Override
    public List<Stage> inputs() {
        return Arrays.asList(new TokenizeStage(), new TeacherStage(), new LatencyStage(), new TrainBlocksStage());
    }

    /** Fidelity's calibration, when search.rank-by = calibrated. */
    @Override
    public List<Stage> optionalInputs() {
        return Collections.singletonList(new FidelityStage());
    }

    @Override
    public boolean redoneForNewSettings() {
        return true;
    }

    @Override
    public Class<SearchManifest> manifestType() {
        return SearchManifest.class;
    }

    /** Scoring students whole with the trained supernet (students an earlier search scored are not scored again). */
    @Override
    public MemoryNeed memoryNeed(StageContext context) throws Exception {
        return SupernetEvaluator.memoryNeed(context, new MemoryNeed());
    }

    @Override
    public Manifest run(StageContext context, StageOutput output) throws Exception {
        List<Constraint> constraints = context.get(SearchSettings.CONSTRAINT);
        Map<String, LatencyTable> tables = LatencyStage.readTables(context);
        LatencyTable table = tables.values().iterator().next();
        requireTableOfTheseSettings(table, context);
        TeacherManifest.Teacher teacher = TeacherManifest.read(context.run()).teacher;
        StudentSize size = new StudentSize(teacher.vocabSize, teacher.maxPositions, 2,
                SupernetManifest.read(context.run()).ffnRatio(), context.get(SearchSettings.EMBEDDING_SIZE));
        List<List<ArchitectureSearch.Scored>> blocks = CandidatesFile.readScored(context.run());
        requireEmbeddingTimings(table, size, blocks);
        Calibration calibration = "calibrated".equals(context.get(SearchSettings.RANK_BY)) ? Calibration.read(context, blocks.size()) : null;
        if (calibration != null) {
            blocks = calibration.weigh(blocks);
        }
        ArchitectureSearch search = new ArchitectureSearch(blocks, size, tables, StudentSize.FLOPS_SEQUENCE);
        constraints.forEach(search::device); // a device without a table stops the stage here, before any scoring
        int top = context.get(SearchSettings.TOP);

        long began = System.nanoTime();
        List<List<ArchitectureSearch.Proposal>> proposals = new ArrayList<>();
        for (Constraint c : constraints) {
            proposals.add(search.top(c, top));
        }
        double selectionSeconds = (System.nanoTime() - began) / 1e9;
        SearchCache cache = SearchCache.read(context, context.get(SearchSettings.EVAL_SEQUENCES));
        int cachedLosses = cache.losses.size();
        Map<Architecture, Double> measured = measure(context, proposals, cache);

        ParetoFile pareto = paretoHeader(context, size, calibration);
        List<String> chosenText = new ArrayList<>();
        List<ParetoFile.Student> chosen = new ArrayList<>();
        for (int i = 0; i < constraints.size(); i++) {
            Constraint c = constraints.get(i);
            String device = search.device(c);
            ParetoFile.ConstraintResult result = choose(c, device, proposals.get(i), measured, size, calibration != null);
            pareto.constraints.add(result);
            if (result.chosen == null) {
                chosenText.add(c + ": no student fits");
            } else {
                ParetoFile.Student best = result.chosen;
                chosen.add(best);
                chosenText.add(String.format("%s: %s (embeddings %d, %,d parameters, %.3f ms on %s, loss %.4f)", c, best.architecture,
                        best.embeddingSize, best.parameters, best.latencyMsByDevice.get(device), device, best.measuredLoss));
            }
        }
        int cachedTimings = cache.timings.size();
        Double latencyError = LatencyCheck.checkChosen(context, chosen, size, cache);
        cache.write(context);
        addFronts(pareto, proposals, measured, tables.keySet(), size);
        pareto.write(output.fileSystem(), new Path(output.temp(), PARETO));
        SearchManifest manifest = new SearchManifest();
        manifest.constraints = constraints.size();
        manifest.chosen = chosenText;
        manifest.studentsEvaluated = measured.size();
        manifest.paretoFront = pareto.paretoFront.size();
        manifest.devices = new ArrayList<>(tables.keySet());
        manifest.secondsSelection = selectionSeconds;
        manifest.latencyMedianAbsError = latencyError;
        manifest.studentsScoredNow = cache.losses.size() - cachedLosses;
        manifest.studentsTimedNow = cache.timings.size() - cachedTimings;
        LOG.info(String.format("search: %d constraints over %s candidates per block, selection in %.3f s, %d students scored whole",
                constraints.size(), counts(blocks), selectionSeconds, measured.size()));
        return manifest;
    }

    /** A search must not mix a table of one deployment with settings of another. */
    private static void requireTableOfTheseSettings(LatencyTable table, StageContext context) {
        List<String> differences = LatencyStage.differencesFromSettings(table, context);
        if (!differences.isEmpty()) {
            throw new NasbertException("the run's latency table was timed under other conditions than these settings ("
                    + String.join("; ", differences) + "); redo it with them ('bin/nasbert latency --force ...') or set "
                    + "latency.engine, latency.batch, latency.sequence-length and latency.threads back to the table's");
        }
    }

    /** pareto.json's description of its units and of what its losses are. */
    private static ParetoFile paretoHeader(StageContext context, StudentSize size, Calibration calibration) {
        ParetoFile pareto = new ParetoFile();
        pareto.units = "parameters: count; flops: per sequence of " + StudentSize.FLOPS_SEQUENCE
                + " tokens; latency: " + LatencyTable.UNITS + " (sum of the latency table's parts); losses: mean squared error per "
                + "element against the teacher";
        pareto.predictedLossMeaning = calibration == null ? "sum of the blocks' held-out losses, each block fed the teacher's state"
                : "the blocks' held-out losses weighted by the fidelity stage's calibration (intercept included): "
                + "the standalone distillation loss it predicts";
        pareto.measuredLossMeaning = "the student's blocks chained from the teacher's embeddings, against its last hidden state";
        pareto.embeddingSizeSetting = size.embeddingSize(); // 0: each student's block 0 width, as its embedding_size says
        pareto.rankBy = context.get(SearchSettings.RANK_BY);
        return pareto;
    }

    /** The Pareto front of every proposal on the first device, and one per device. */
    private static void addFronts(ParetoFile pareto, List<List<ArchitectureSearch.Proposal>> proposals,
                                  Map<Architecture, Double> measured, Set<String> devices, StudentSize size) throws IOException {
        List<ArchitectureSearch.Proposal> all = new ArrayList<>();
        proposals.forEach(all::addAll);
        for (ArchitectureSearch.Proposal p : ParetoFront.of(all, measured, devices.iterator().next())) {
            pareto.paretoFront.add(ParetoFile.Student.of(p, measured.get(p.architecture), size));
        }
        for (String device : devices) { // per device: parameters, that device's latency, loss
            List<ParetoFile.Student> f = new ArrayList<>();
            for (ArchitectureSearch.Proposal p : ParetoFront.of(all, measured, device)) {
                f.add(ParetoFile.Student.of(p, measured.get(p.architecture), size));
            }
            pareto.paretoFronts.put(device, f);
        }
    }

    /** The table must time embeddings of the asked size and their projection to every width block 0 may have. */
    private static void requireEmbeddingTimings(LatencyTable table, StudentSize size, List<List<ArchitectureSearch.Scored>> blocks) {
        int[] firstWidths = blocks.get(0).stream().mapToInt(s -> s.path.hidden()).distinct().toArray();
        List<String> missing = table.missingEmbeddings(size.embeddingSize(), firstWidths);
        if (!missing.isEmpty()) {
            int e = size.embeddingSize();
            throw new NasbertException(SearchSettings.EMBEDDING_SIZE.key() + " = " + e + ", but the run's latency table has no "
                    + String.join(", ", missing) + "; redo it with the same setting ('bin/nasbert latency --force --set "
                    + SearchSettings.EMBEDDING_SIZE.key() + "=" + e + "', seconds) or import a table that has them");
        }
    }

    private static String counts(List<List<ArchitectureSearch.Scored>> blocks) {
        List<Integer> n = new ArrayList<>();
        blocks.forEach(b -> n.add(b.size()));
        return n.toString();
    }

    /** Every proposed student's whole-model loss, each scored once: from the cache, else scored now and added to it. */
    private static Map<Architecture, Double> measure(StageContext context, List<List<ArchitectureSearch.Proposal>> proposals,
                                                     SearchCache cache) throws IOException {
        List<Architecture> distinct = new ArrayList<>();
        for (List<ArchitectureSearch.Proposal> list : proposals) {
            for (ArchitectureSearch.Proposal p : list) {
                if (!distinct.contains(p.architecture)) {
                    distinct.add(p.architecture);
                }
            }
        }
        List<Architecture> unscored = new ArrayList<>();
        for (Architecture a : distinct) {
            if (!cache.losses.containsKey(a.toString())) {
                unscored.add(a);
            }
        }
        LOG.info("search: {} students to score whole, {} of them scored by an earlier search of this run", distinct.size(),
                distinct.size() - unscored.size());
        if (!unscored.isEmpty()) {
            try (SupernetEvaluator evaluator = SupernetEvaluator.open(context, context.get(SearchSettings.EVAL_SEQUENCES))) {
                double[] losses = evaluator.wholeModelLosses(unscored);
                for (int i = 0; i < losses.length; i++) {
                    cache.losses.put(unscored.get(i).toString(), losses[i]);
                }
            }
        }
        Map<Architecture, Double> out = new LinkedHashMap<>();
        for (Architecture a : distinct) {
            out.put(a, cache.losses.get(a.toString()));
        }
        return out;
    }

    /**
     * The student chosen for one constraint: of the proposals (best predicted first), the one of least measured loss;
     * calibrated, the best predicted.
     */
    private static ParetoFile.ConstraintResult choose(Constraint c, String device, List<ArchitectureSearch.Proposal> proposals,
                                                      Map<Architecture, Double> measured, StudentSize size, boolean calibrated)
            throws IOException {
        ParetoFile.ConstraintResult r = new ParetoFile.ConstraintResult();
        r.constraint = c.toString();
        r.maxParameters = c.maxParameters() != Constraint.NONE ? c.maxParameters() : null;
        if (c.maxLatencyNs() != Constraint.NONE) {
            r.maxLatencyMs = c.maxLatencyNs() / 1e6;
            r.device = device;
        }
        r.studentsEvaluated = proposals.size();
        if (proposals.isEmpty()) {
            r.reason = "no student of the candidates fits: even the smallest exceeds the limit";
            return r;
        }
        ArchitectureSearch.Proposal best = proposals.get(0);
        int rank = 0;
        for (int i = 1; i < proposals.size() && !calibrated; i++) {
            if (measured.get(proposals.get(i).architecture) < measured.get(best.architecture)) {
                best = proposals.get(i);
                rank = i;
            }
        }
        r.chosen = ParetoFile.Student.of(best, measured.get(best.architecture), size);
        r.chosen.rankByPredictedLoss = rank + 1;
        r.bestPredicted = ParetoFile.Student.of(proposals.get(0), measured.get(proposals.get(0).architecture), size);
        return r;
    }
}
