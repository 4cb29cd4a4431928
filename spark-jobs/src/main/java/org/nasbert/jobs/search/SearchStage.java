package org.nasbert.jobs.search;

import org.nasbert.latency.LatencySettings;
import org.nasbert.prep.TokenizeStage;
import org.nasbert.jobs.fidelity.FidelityStage;
import java.util.Collections;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.Path;
import org.nasbert.NasbertException;
import org.nasbert.conf.Setting;
import org.nasbert.io.Json;
import org.nasbert.io.StageOutput;
import org.nasbert.jobs.latency.LatencyStage;
import org.nasbert.jobs.trainblocks.SupernetEvaluator;
import org.nasbert.jobs.trainblocks.SupernetManifest;
import org.nasbert.jobs.trainblocks.TrainBlocksStage;
import org.nasbert.jobs.teacher.TeacherManifest;
import org.nasbert.jobs.teacher.TeacherStage;
import org.nasbert.latency.LatencyTable;
import org.nasbert.search.ArchitectureSearch;
import org.nasbert.search.Constraint;
import org.nasbert.search.SearchSettings;
import org.nasbert.space.Architecture;
import org.nasbert.space.BlockPath;
import org.nasbert.space.StudentSize;
import org.nasbert.stage.Manifest;
import org.nasbert.stage.Stage;
import org.nasbert.stage.StageContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

    @Override
    public Manifest run(StageContext context, StageOutput output) throws Exception {
        List<Constraint> constraints = Constraint.parseAll(context.get(SearchSettings.CONSTRAINT), SearchSettings.CONSTRAINT.key());
        Map<String, LatencyTable> tables = LatencyStage.readTables(context);
        LatencyTable table = tables.values().iterator().next();
        List<String> differences = LatencyStage.differencesFromSettings(table, context);
        if (!differences.isEmpty()) { // a search must not mix a table of one deployment with settings of another
            throw new NasbertException("the run's latency table was timed under other conditions than these settings ("
                    + String.join("; ", differences) + "); redo it with them ('bin/nasbert latency --force ...') or set "
                    + "latency.engine, latency.batch, latency.sequence-length and latency.threads back to the table's");
        }
        Path supernet = context.run().path(TrainBlocksStage.OUTPUT);
        TeacherManifest.Teacher teacher = TeacherManifest.read(context.run()).teacher;
        StudentSize size = new StudentSize(teacher.vocabSize, teacher.maxPositions, 2,
                SupernetManifest.read(context.run()).ffnRatio(), context.get(SearchSettings.EMBEDDING_SIZE));
        List<List<ArchitectureSearch.Scored>> blocks = candidates(context, new Path(supernet, TrainBlocksStage.CANDIDATES));
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
        Map<Architecture, Double> measured = measure(context, proposals);

        ObjectNode pareto = Json.MAPPER.createObjectNode();
        pareto.put("units", "parameters: count; flops: per sequence of " + StudentSize.FLOPS_SEQUENCE
                + " tokens; latency: " + LatencyTable.UNITS + " (sum of the latency table's parts); losses: mean squared error per "
                + "element against the teacher");
        pareto.put("predicted_loss", "sum of the blocks' held-out losses, each block fed the teacher's state");
        pareto.put("measured_loss", "the student's blocks chained from the teacher's embeddings, against its last hidden state");
        pareto.put("embedding_size_setting", size.embeddingSize()); // 0: each student's block 0 width, as its embedding_size says
        pareto.put("rank_by", context.get(SearchSettings.RANK_BY));
        if (calibration != null) {
            pareto.put("predicted_loss", "the blocks' held-out losses weighted by the fidelity stage's calibration (intercept included): "
                    + "the standalone distillation loss it predicts");
        }
        ArrayNode list = pareto.putArray("constraints");
        List<String> chosenText = new ArrayList<>();
        List<ObjectNode> chosenNodes = new ArrayList<>();
        for (int i = 0; i < constraints.size(); i++) {
            ObjectNode node = list.addObject();
            chosenText.add(describeConstraint(node, constraints.get(i), search.device(constraints.get(i)), proposals.get(i), measured,
                    size, calibration));
            if (node.path("chosen").isObject()) {
                chosenNodes.add((ObjectNode) node.path("chosen"));
            }
        }
        Double latencyError = checkLatency(context, chosenNodes, size);
        List<ArchitectureSearch.Proposal> all = new ArrayList<>();
        proposals.forEach(all::addAll);
        ArrayNode front = pareto.putArray("pareto_front");
        for (ArchitectureSearch.Proposal p : ParetoFront.of(all, measured, tables.keySet().iterator().next())) {
            describe(front.addObject(), p, measured.get(p.architecture), size);
        }
        ObjectNode fronts = pareto.putObject("pareto_fronts"); // per device: parameters, that device's latency, loss
        for (String device : tables.keySet()) {
            ArrayNode f = fronts.putArray(device);
            for (ArchitectureSearch.Proposal p : ParetoFront.of(all, measured, device)) {
                describe(f.addObject(), p, measured.get(p.architecture), size);
            }
        }
        try (FSDataOutputStream out = output.fileSystem().create(new Path(output.temp(), PARETO))) {
            out.write(Json.MAPPER.writeValueAsBytes(pareto));
        }
        SearchManifest manifest = new SearchManifest();
        manifest.constraints = constraints.size();
        manifest.chosen = chosenText;
        manifest.studentsEvaluated = measured.size();
        manifest.paretoFront = front.size();
        manifest.devices = new ArrayList<>(tables.keySet());
        manifest.secondsSelection = selectionSeconds;
        manifest.latencyMedianAbsError = latencyError;
        LOG.info(String.format("search: %d constraints over %s candidates per block, selection in %.3f s, %d students scored whole",
                constraints.size(), counts(blocks), selectionSeconds, measured.size()));
        return manifest;
    }

    /**
     * Times the chosen students whole (when the latency table was measured here) and records, per student, the
     * measured latency and the prediction's error; returns the median absolute error of the table's predictions.
     */
    private static Double checkLatency(StageContext context, List<ObjectNode> chosen, StudentSize size) throws IOException {
        List<Architecture> students = new ArrayList<>();
        List<Integer> embeddings = new ArrayList<>();
        for (ObjectNode c : chosen) {
            students.add(Architecture.parse(c.path("architecture").asText()));
            embeddings.add(size.embeddingSize());
        }
        List<double[]> timed = LatencyCheck.run(context, students, embeddings);
        if (timed == null) {
            return null;
        }
        List<Double> errors = new ArrayList<>();
        for (int i = 0; i < chosen.size(); i++) {
            double[] t = timed.get(i);
            double predicted = chosen.get(i).path("latency_ms").asDouble();
            ObjectNode m = chosen.get(i).putObject("measured_latency");
            m.put("median_ms", t[0]);
            m.put("p10_ms", t[1]);
            m.put("p90_ms", t[2]);
            m.put("runs", (int) t[3]);
            m.put("error_of_table", (predicted - t[0]) / t[0]);
            m.put("parts_timed_alongside_ms", t[4]);
            m.put("error_of_parts_timed_alongside", (t[4] - t[0]) / t[0]);
            errors.add(Math.abs((predicted - t[0]) / t[0]));
        }
        errors.sort(Double::compare);
        int n = errors.size();
        return n == 0 ? null : n % 2 == 1 ? errors.get(n / 2) : (errors.get(n / 2 - 1) + errors.get(n / 2)) / 2;
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

    /** Every proposed student's whole-model loss, each scored once. */
    private static Map<Architecture, Double> measure(StageContext context, List<List<ArchitectureSearch.Proposal>> proposals)
            throws IOException {
        List<Architecture> distinct = new ArrayList<>();
        for (List<ArchitectureSearch.Proposal> list : proposals) {
            for (ArchitectureSearch.Proposal p : list) {
                if (!distinct.contains(p.architecture)) {
                    distinct.add(p.architecture);
                }
            }
        }
        Map<Architecture, Double> out = new LinkedHashMap<>();
        if (distinct.isEmpty()) {
            return out;
        }
        try (SupernetEvaluator evaluator = SupernetEvaluator.open(context, context.get(SearchSettings.EVAL_SEQUENCES))) {
            double[] losses = evaluator.wholeModelLosses(distinct);
            for (int i = 0; i < losses.length; i++) {
                out.put(distinct.get(i), losses[i]);
            }
        }
        return out;
    }

    private static String describeConstraint(ObjectNode node, Constraint c, String device, List<ArchitectureSearch.Proposal> proposals,
                                             Map<Architecture, Double> measured, StudentSize size, Calibration calibration) {
        node.put("constraint", c.toString());
        if (c.maxParameters() != Constraint.NONE) {
            node.put("max_parameters", c.maxParameters());
        }
        if (c.maxLatencyNs() != Constraint.NONE) {
            node.put("max_latency_ms", c.maxLatencyNs() / 1e6);
            node.put("device", device);
        }
        node.put("students_evaluated", proposals.size());
        if (proposals.isEmpty()) {
            node.putNull("chosen");
            node.put("reason", "no student of the candidates fits: even the smallest exceeds the limit");
            return c + ": no student fits";
        }
        ArchitectureSearch.Proposal best = proposals.get(0);
        int rank = 0;
        for (int i = 1; i < proposals.size() && calibration == null; i++) { // calibrated: the best predicted is the choice
            if (measured.get(proposals.get(i).architecture) < measured.get(best.architecture)) {
                best = proposals.get(i);
                rank = i;
            }
        }
        describe(node.putObject("chosen"), best, measured.get(best.architecture), size).put("rank_by_predicted_loss", rank + 1);
        describe(node.putObject("best_predicted"), proposals.get(0), measured.get(proposals.get(0).architecture), size);
        return String.format("%s: %s (embeddings %d, %,d parameters, %.3f ms on %s, loss %.4f)", c, best.architecture,
                size.embeddingWidth(best.architecture.blocks().get(0).hidden()), best.parameters, best.latencyMsByDevice.get(device),
                device, measured.get(best.architecture));
    }

    /** A proposed student: its architecture, embedding width (what distill builds), losses and costs. */
    static ObjectNode describe(ObjectNode node, ArchitectureSearch.Proposal p, Double measuredLoss, StudentSize size) {
        node.put("architecture", p.architecture.toString());
        node.put(EMBEDDING_SIZE, size.embeddingWidth(p.architecture.blocks().get(0).hidden()));
        try {
            node.set("blocks", Json.MAPPER.readTree(p.architecture.toJson()).path("blocks"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        node.put("predicted_loss", p.predictedLoss);
        if (measuredLoss != null) {
            node.put("measured_loss", measuredLoss);
        }
        node.put("parameters", p.parameters);
        node.put("flops", p.flops);
        node.put("latency_ms", p.latencyMs);
        ObjectNode devices = node.putObject("latency_ms_by_device");
        p.latencyMsByDevice.forEach(devices::put);
        return node;
    }

    /** Shrinking's survivors per block with their held-out losses (train-blocks' candidates.json). */
    public static List<List<ArchitectureSearch.Scored>> candidates(StageContext context, Path file) throws IOException {
        JsonNode json;
        try (InputStream in = context.run().fileSystem().open(file)) {
            json = Json.MAPPER.readTree(in);
        } catch (IOException e) {
            throw new NasbertException(file + " is missing or unreadable (" + e.getMessage() + "); rerun 'bin/nasbert train-blocks --force'", e);
        }
        List<List<ArchitectureSearch.Scored>> out = new ArrayList<>();
        for (JsonNode block : json.path("blocks")) {
            List<ArchitectureSearch.Scored> list = new ArrayList<>();
            for (JsonNode c : block.path("candidates")) {
                if (!c.path("loss").isNumber() || !c.hasNonNull("path")) {
                    throw new NasbertException(file + ": block " + block.path("block").asText() + ": a candidate without a path "
                            + "or a numeric loss: " + c);
                }
                list.add(new ArchitectureSearch.Scored(BlockPath.parse(c.path("path").asText()), c.path("loss").asDouble()));
            }
            if (list.isEmpty()) {
                throw new NasbertException(file + ": block " + block.path("block").asText() + " has no candidates");
            }
            out.add(list);
        }
        if (out.isEmpty()) {
            throw new NasbertException(file + " lists no blocks");
        }
        return out;
    }
}
