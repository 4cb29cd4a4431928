package org.nasbert.jobs.trainblocks;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nasbert.NasbertException;
import org.nasbert.conf.Settings;
import org.nasbert.io.Json;
import org.nasbert.io.RunDirectory;
import org.nasbert.jobs.TestFiles;
import org.nasbert.jobs.fidelity.FidelityStage;
import org.nasbert.jobs.latency.LatencyStage;
import org.nasbert.jobs.search.SearchStage;
import org.nasbert.jobs.distill.DistillStage;
import org.nasbert.student.StudentExport;
import org.nasbert.student.StudentModel;
import org.nasbert.jobs.teacher.TeacherStage;
import org.nasbert.latency.LatencyTable;
import org.nasbert.prep.TokenizeStage;
import org.nasbert.space.Architecture;
import org.nasbert.space.BlockPath;
import org.nasbert.space.StudentSize;
import org.nasbert.stage.StageContext;
import org.nasbert.stage.StageResult;
import org.nasbert.stage.StageRunner;
import org.nasbert.supernet.SupernetBlock;
import org.nasbert.supernet.SupernetSettings;
import org.nasbert.teacher.checkpoint.SafeTensors;
import org.nasbert.teacher.checkpoint.WeightTensor;
import org.nasbert.testing.LocalSpark;
import org.nasbert.testing.TestData;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * train-blocks with progressive shrinking, then the search, on a small real run: every round drops the worse half
 * of each bin's sample down to keep, the survivors' losses are their held-out block losses, and the search's
 * choices are the brute-force optimum within each constraint; a new constraint redoes only the search.
 */
class ShrinkingAndSearchTest {
    private static final int KEEP = 2;
    private static final int SAMPLE = 4;
    private static SparkSession spark;

    @TempDir
    Path temp;

    @BeforeAll
    static void start() {
        spark = LocalSpark.session();
    }

    private static Settings settings(Path run, String... more) {
        String[] values = {
                "run.dir", run.toString(), "tokenize.input", TestData.mobyDick().toString(),
                "teacher.sequences", "80", "teacher.states", "materialize", "teacher.held-out", "0.2", "teacher.precision", "fp32",
                "supernet.blocks", "2", "supernet.hidden-sizes", "32,64", "supernet.kernels", "3",
                "supernet.layers-per-block", "2", "supernet.batch-size", "8", "supernet.eval-paths", "2",
                "supernet.checkpoint-every", "100", "supernet.partitions", "2", "supernet.steps-per-epoch", "3",
                "supernet.learning-rate", "0.003", "supernet.warmup-steps", "2",
                "prune.bins", "3", "prune.sample", "" + SAMPLE, "prune.keep", "" + KEEP, "prune.warmup-epochs", "1",
                "prune.eval-sequences", "1000", "latency.sequence-length", "16", "latency.runs", "3",
                "search.top", "5", "search.eval-sequences", "1000"};
        Settings s = Settings.defaults();
        for (int i = 0; i < values.length; i += 2) {
            s = s.with(values[i], values[i + 1], "test");
        }
        for (int i = 0; i < more.length; i += 2) {
            s = s.with(more[i], more[i + 1], "test");
        }
        return s;
    }

    private Path table() throws Exception {
        return org.nasbert.jobs.FixedLatencyTable.write(temp.resolve("table.json"), new int[]{32, 64}, new int[]{3}, 0, 16);
    }

    @Test
    void shrinkingThenSearchOnARealRun() throws Exception {
        Path run = temp.resolve("run");
        Settings settings = settings(run, "latency.import", table().toString());
        StageRunner.run(new TokenizeStage(), settings, spark, false);
        StageRunner.run(new TeacherStage(), settings, spark, false);
        StageRunner.run(new LatencyStage(), settings, spark, false);
        JsonNode trained = StageRunner.run(new TrainBlocksStage(), settings, spark, false).manifest;

        JsonNode shrinking = trained.path("shrinking");
        int rounds = shrinking.path("rounds").asInt();
        assertTrue(rounds >= 2, "several rounds: " + shrinking);
        assertTrue(shrinking.path("finished").asBoolean());
        assertEquals((1 + rounds) * 3L, trained.path("steps").asLong(), "warm-up epoch + one epoch per round, 3 steps each");
        // the median of the steps after the first, in seconds: one of them, so within the training after the first step
        double median = trained.path("seconds_per_step_median").asDouble();
        double later = trained.path("seconds_training").asDouble() - trained.path("seconds_first_step").asDouble();
        assertTrue(median > 0 && median <= later, "median step " + median + " s of " + later + " s after the first");
        for (int r = 1; r <= rounds; r++) {
            checkRound(Json.MAPPER.readTree(run.resolve(String.format("supernet/shrinking/round-%02d.json", r)).toFile()), r);
        }
        JsonNode candidates = Json.MAPPER.readTree(run.resolve("supernet/candidates.json").toFile());
        checkCandidateLosses(run, settings, candidates);
        // the files read as the stage has always written them: fields in this order
        assertEquals(java.util.Arrays.asList("eval_sequences", "loss", "latency_units", "flops_sequence_length", "blocks"),
                fieldNames(candidates));
        assertEquals(java.util.Arrays.asList("path", "loss", "parameters", "flops", "latency_ms", "bin"),
                fieldNames(candidates.path("blocks").get(0).path("candidates").get(0)));
        JsonNode round1 = Json.MAPPER.readTree(run.resolve("supernet/shrinking/round-01.json").toFile());
        assertEquals(java.util.Arrays.asList("round", "after_step", "eval_sequences", "latency_units", "blocks"), fieldNames(round1));
        assertEquals(java.util.Arrays.asList("path", "loss", "parameters", "flops", "latency_ms", "kept"),
                fieldNames(round1.path("blocks").get(0).path("bins").get(0).path("scored").get(0)));

        LatencyTable table = LatencyTable.fromJson(new String(Files.readAllBytes(run.resolve("latency/table.json")),
                StandardCharsets.UTF_8), "table");
        // binding constraints, half way between the smallest and the largest student the candidates make
        long[] params = range(candidates, c -> (double) SIZE.parameters(c));
        long[] micros = range(candidates, c -> table.predictMs(c) * 1000);
        long p = (params[0] + params[1]) / 2;
        long us = (micros[0] + micros[1]) / 2;
        settings = settings(run, "latency.import", table().toString(), "search.constraint",
                "params=" + p + ";latency=" + us + "us;params=" + p + ",latency=" + us + "us");
        StageResult search = StageRunner.run(new SearchStage(), settings, spark, false);
        JsonNode pareto = Json.MAPPER.readTree(run.resolve("search/pareto.json").toFile());
        assertEquals(java.util.Arrays.asList("units", "predicted_loss", "measured_loss", "embedding_size_setting", "rank_by",
                "constraints", "pareto_front", "pareto_fronts"), fieldNames(pareto));
        assertEquals(java.util.Arrays.asList("architecture", "embedding_size", "blocks", "predicted_loss", "measured_loss", "parameters",
                "flops", "latency_ms", "latency_ms_by_device", "rank_by_predicted_loss"),
                fieldNames(pareto.path("constraints").get(0).path("chosen")).subList(0, 10));
        checkAgainstBruteForce(pareto, candidates, table, StudentSize.BLOCK_0);
        int chosen = 0;
        for (JsonNode c : pareto.path("constraints")) {
            chosen += c.path("chosen").isObject() ? 1 : 0;
        }
        assertTrue(chosen >= 2, "the parameter and the latency constraint each have a student: " + pareto);
        assertTrue(search.manifest.path("students_evaluated").asInt() > 0);
        assertEquals(search.manifest.path("students_evaluated").asInt(), search.manifest.path("students_scored_now").asInt(),
                "the run's first search scores every student");

        // one constraint more: the students the first search scored come from its cache, with the numbers scoring gives
        Settings more = settings(run, "latency.import", table().toString(), "search.constraint",
                "params=" + p + ";latency=" + us + "us;params=" + p + ",latency=" + us + "us;params=" + (p + params[1]) / 2);
        StageResult cached = StageRunner.run(new SearchStage(), more, spark, false);
        assertTrue(cached.manifest.path("students_scored_now").asInt() < cached.manifest.path("students_evaluated").asInt(),
                cached.manifest.toString());
        byte[] fromCache = Files.readAllBytes(run.resolve("search/pareto.json"));
        org.nasbert.jobs.TestFiles.deleteTree(run.resolve("_search-cache"));
        StageResult fresh = StageRunner.run(new SearchStage(), more, spark, true);
        assertEquals(fresh.manifest.path("students_evaluated").asInt(), fresh.manifest.path("students_scored_now").asInt());
        assertEquals(new String(fromCache, StandardCharsets.UTF_8), new String(Files.readAllBytes(run.resolve("search/pareto.json")),
                StandardCharsets.UTF_8), "the cached losses are the ones scoring afresh gives, to the last digit");

        // 16-wide embedding tables, narrower than any block: the run's table has no timing of them yet
        String[] narrow = {"search.embedding-size", "16", "search.constraint", "params=" + p + ";latency=" + us + "us;params=" + p
                + ",latency=" + us + "us"};
        Settings untimed = settings(run, concat(new String[]{"latency.import", table().toString()}, narrow));
        NasbertException e = assertThrows(NasbertException.class, () -> StageRunner.run(new SearchStage(), untimed, spark, false));
        assertTrue(e.getMessage().contains("search.embedding-size = 16") && e.getMessage().contains("embeddings@16")
                && e.getMessage().contains("bin/nasbert latency --force"), e.getMessage());
        Path timed16 = org.nasbert.jobs.FixedLatencyTable.write(temp.resolve("table16.json"), new int[]{32, 64}, new int[]{3}, 16, 16);
        Settings narrowSettings = settings(run, concat(new String[]{"latency.import", timed16.toString()}, narrow));
        StageRunner.run(new LatencyStage(), narrowSettings, spark, true);
        LatencyTable table16 = LatencyTable.fromJson(new String(Files.readAllBytes(run.resolve("latency/table.json")),
                StandardCharsets.UTF_8), "table16");
        StageRunner.run(new SearchStage(), narrowSettings, spark, false);
        JsonNode pareto16 = Json.MAPPER.readTree(run.resolve("search/pareto.json").toFile());
        checkAgainstBruteForce(pareto16, candidates, table16, 16);
        for (JsonNode c : pareto16.path("constraints")) {
            assertEquals(c.path("chosen").isObject() ? 16 : 0, c.path("chosen").path("embedding_size").asInt(), c.toString());
        }

        checkDistill(run, narrowSettings, pareto16, 16);

        // a new constraint: only the search is redone, from the stored tables
        long t0 = System.nanoTime();
        Settings other = settings(run, "latency.import", table().toString(), "search.constraint", "params=1K;latency=1000ms");
        assertTrue(StageRunner.run(new TrainBlocksStage(), other, spark, false).skipped, "train-blocks is not redone");
        StageResult again = StageRunner.run(new SearchStage(), other, spark, false);
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertFalse(again.skipped, "the search is redone for a new constraint");

        assertTrue(seconds < 60, "answered from the stored tables in " + seconds + " s");
        JsonNode answer = Json.MAPPER.readTree(run.resolve("search/pareto.json").toFile());
        assertTrue(answer.path("constraints").get(0).path("chosen").isNull(), "nothing has 1K parameters: " + answer);
        assertTrue(answer.path("constraints").get(0).path("reason").asText().contains("no student"));
        checkAgainstBruteForce(answer, candidates, table16, StudentSize.BLOCK_0);
    }

    private static final StudentSize SIZE = new StudentSize(30522, 512, 2, 4);

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /**
     * Every chosen student and a baseline within each parameter budget learn the teacher; each is written and reads
     * back; a searched student's embedding tables have the search's width, a baseline's its layers' width, and the
     * weights the manifest counts are those the model holds (plus the classifier head it does not carry yet).
     */
    private static void checkDistill(Path run, Settings settings, JsonNode pareto, int embeddingSize) throws Exception {
        Settings s = settings.with("distill.steps", "40", "test").with("distill.batch-size", "8", "test")
                .with("distill.learning-rate", "0.003", "test").with("distill.eval-sequences", "1000", "test");
        JsonNode manifest = StageRunner.run(new DistillStage(), s, spark, false).manifest;
        Map<String, String> searchedFor = new java.util.HashMap<>(); // constraint -> architecture of the student trained for it
        List<String> architectures = new ArrayList<>();
        int baselines = 0;
        for (JsonNode st : manifest.path("students")) {
            String name = st.path("name").asText();
            double before = st.path("held_out_loss_at_init").asDouble();
            double after = st.path("held_out_loss").asDouble();
            assertTrue(after < 0.9 * before, name + " learns: " + before + " -> " + after);
            StudentModel back = StudentExport.read(new org.apache.hadoop.fs.Path(run.resolve("students/" + name).toUri()),
                    new org.apache.hadoop.conf.Configuration());
            assertEquals(st.path("architecture").asText(), back.architecture().toString());
            boolean baseline = "baseline".equals(st.path("kind").asText());
            int width = back.architecture().blocks().get(0).hidden();
            int last = back.architecture().blocks().get(back.architecture().blocks().size() - 1).hidden();
            assertEquals(baseline ? width : embeddingSize, back.embeddingSize(), name);
            assertEquals(back.embeddingSize(), st.path("embedding_size").asInt(), name);
            assertEquals(back.parameterCount() - StudentSize.projectionParameters(last, back.outputWidth())
                    + StudentSize.headParameters(last), st.path("parameters").asLong(), name + ": counted as built");
            if (baseline) {
                baselines++;
                // a baseline fits the constraint's budget in what it matches, or the searched student's own count or latency
                List<String> constraints = DistillStage.constraints(st.path("constraint").asText());
                LatencyTable table = LatencyTable.fromJson(new String(Files.readAllBytes(run.resolve("latency/table.json")),
                        StandardCharsets.UTF_8), "table");
                for (JsonNode c : pareto.path("constraints")) {
                    int i = constraints.indexOf(c.path("constraint").asText());
                    if (i < 0) {
                        continue;
                    }
                    JsonNode chosen = c.path("chosen");
                    if ("parameters".equals(st.path(DistillStage.BASELINE_FOR).get(i).asText())) {
                        assertTrue(st.path("parameters").asLong() <= c.path("max_parameters").asLong(chosen.path("parameters").asLong()), st.toString());
                    } else {
                        assertEquals("latency", st.path(DistillStage.BASELINE_FOR).get(i).asText());
                        assertTrue(table.predictMs(Architecture.parse(st.path("architecture").asText()))
                                <= c.path("max_latency_ms").asDouble(chosen.path("latency_ms").asDouble()), st.toString());
                    }
                }
            } else {
                assertFalse(architectures.contains(st.path("architecture").asText()), "a student chosen twice is trained once");
                architectures.add(st.path("architecture").asText());
                for (String c : DistillStage.constraints(st.path("constraint").asText())) {
                    assertNull(searchedFor.put(c, st.path("architecture").asText()), c + " has one student");
                }
            }
        }
        for (JsonNode c : pareto.path("constraints")) {
            if (c.path("chosen").isObject()) {
                assertEquals(c.path("chosen").path("architecture").asText(), searchedFor.get(c.path("constraint").asText()), c.toString());
            }
        }
        assertTrue(searchedFor.size() >= 2 && baselines >= 1, "searched for " + searchedFor + ", baselines " + baselines + ": " + manifest);
        checkFidelity(run, s, pareto, manifest);
    }

    /**
     * fidelity: the chosen students and others across the size range, each distilled alone by distill's recipe. A chosen
     * student's standalone loss is what distill (same recipe, fresh weights) reported for it, its search score and
     * prediction are pareto.json's; the correlations are those of the listed numbers. A sample larger than the candidates
     * allow, or smaller than the chosen students, is refused naming the setting.
     */
    private static void checkFidelity(Path run, Settings s, JsonNode pareto, JsonNode distilled) throws Exception {
        JsonNode manifest = StageRunner.run(new FidelityStage(), s.with("fidelity.architectures", "5", "test"), spark, false).manifest;
        JsonNode f = Json.MAPPER.readTree(run.resolve("fidelity/fidelity.json").toFile());
        JsonNode students = f.path("students");
        assertEquals(5, students.size(), f.toString());
        java.util.Set<String> distinct = new java.util.HashSet<>();
        int chosen = 0;
        double[][] columns = new double[4][students.size()];
        for (int i = 0; i < students.size(); i++) {
            JsonNode st = students.get(i);
            assertTrue(distinct.add(st.path("architecture").asText()), "distinct: " + students);
            columns[0][i] = st.path("search_score").asDouble();
            columns[1][i] = st.path("predicted_loss").asDouble();
            columns[2][i] = st.path("parameters").asDouble();
            columns[3][i] = st.path("standalone_loss").asDouble();
            if (st.path("chosen_for").size() == 0) {
                assertEquals("fidelity", st.path("trained_by").asText(), st.toString());
                continue;
            }
            assertEquals("distill", st.path("trained_by").asText(), "distill trained it alone by the same recipe: " + st);
            chosen++;
            JsonNode pick = null;
            for (JsonNode c : pareto.path("constraints")) {
                if (c.path("constraint").asText().equals(st.path("chosen_for").get(0).asText())) {
                    pick = c.path("chosen");
                }
            }
            assertEquals(pick.path("architecture").asText(), st.path("architecture").asText());
            assertEquals(pick.path("measured_loss").asDouble(), st.path("search_score").asDouble(), 1e-6 * pick.path("measured_loss").asDouble());
            assertEquals(pick.path("predicted_loss").asDouble(), st.path("predicted_loss").asDouble(), 1e-12);
            assertEquals(pick.path("parameters").asLong(), st.path("parameters").asLong());
            for (JsonNode d : distilled.path("students")) {
                if ("searched".equals(d.path("kind").asText()) && d.path("architecture").asText().equals(st.path("architecture").asText())) {
                    double expected = d.path("held_out_loss").asDouble();
                    assertEquals(expected, st.path("standalone_loss").asDouble(), 1e-4 * expected, "distill's recipe, fresh weights: " + st);
                }
            }
        }
        assertEquals(FidelityStage.chosen(Json.MAPPER.treeToValue(pareto, org.nasbert.jobs.search.ParetoFile.class)).size(), chosen,
                "every chosen student is measured");
        trainedHereAsDistillDid(run, s, f);
        String[] predictors = {"search_score", "predicted_loss", "parameters"};
        for (int p = 0; p < predictors.length; p++) {
            JsonNode tau = manifest.path("kendall_tau").path(predictors[p]);
            double expected = org.nasbert.stats.RankCorrelation.kendallTau(columns[p], columns[3]);
            assertEquals(expected, tau.path("estimate").asDouble(), 1e-12, predictors[p]);
            assertTrue(tau.path("low").asDouble() <= expected && expected <= tau.path("high").asDouble(), tau.toString());
            assertEquals(org.nasbert.stats.RankCorrelation.spearman(columns[p], columns[3]),
                    manifest.path("spearman_rho").path(predictors[p]).path("estimate").asDouble(), 1e-12);
        }
        // the calibrated predictor: each student's block losses weighted by a least-squares fit to the other four
        double[][] terms = new double[students.size()][];
        for (int i = 0; i < terms.length; i++) {
            JsonNode b = students.get(i).path("block_losses");
            terms[i] = new double[]{b.get(0).asDouble(), b.get(1).asDouble()};
            assertEquals(columns[1][i], terms[i][0] + terms[i][1], 1e-12, "the prediction is the sum of the block losses");
        }
        double[] loo = org.nasbert.stats.LinearFit.leaveOneOut(terms, columns[3]);
        for (int i = 0; i < loo.length; i++) {
            assertEquals(loo[i], students.get(i).path("calibrated_block_losses").asDouble(), 1e-12);
        }
        assertEquals(org.nasbert.stats.RankCorrelation.kendallTau(loo, columns[3]),
                manifest.path("kendall_tau").path("calibrated_block_losses").path("estimate").asDouble(), 1e-12);
        NasbertException tooMany = assertThrows(NasbertException.class, () -> StageRunner.run(new FidelityStage(),
                s.with("fidelity.architectures", "10000", "test"), spark, true));
        assertTrue(tooMany.getMessage().startsWith("fidelity.architectures = 10000, but the block candidates make only "), tooMany.getMessage());
        assertEquals(f, Json.MAPPER.readTree(run.resolve("fidelity/fidelity.json").toFile()), "a refused rerun leaves the finished output");
        checkCalibratedSearch(run, s, f);
    }

    /**
     * Without distill's output to take from, fidelity trains every student itself: the chosen ones end with the losses
     * distill reported (which the first run took over), the others with the first run's.
     */
    private static void trainedHereAsDistillDid(Path run, Settings s, JsonNode first) throws Exception {
        Path done = run.resolve("students/_SUCCESS");
        Path aside = run.resolve("students-SUCCESS-aside");
        java.nio.file.Files.move(done, aside);
        Path copy = run.resolve("fidelity-first");
        TestFiles.copyTree(run.resolve("fidelity"), copy);
        try {
            StageRunner.run(new FidelityStage(), s.with("fidelity.architectures", "5", "test"), spark, true);
            JsonNode alone = Json.MAPPER.readTree(run.resolve("fidelity/fidelity.json").toFile()).path("students");
            for (int i = 0; i < alone.size(); i++) {
                JsonNode a = alone.get(i);
                JsonNode b = first.path("students").get(i);
                assertEquals("fidelity", a.path("trained_by").asText());
                assertEquals(b.path("architecture"), a.path("architecture"));
                double expected = b.path("standalone_loss").asDouble();
                assertEquals(expected, a.path("standalone_loss").asDouble(), 1e-4 * expected, "trained here or by distill: " + a);
            }
        } finally {
            java.nio.file.Files.move(aside, done);
            TestFiles.deleteTree(run.resolve("fidelity"));
            java.nio.file.Files.move(copy, run.resolve("fidelity"));
        }
    }

    /**
     * search.rank-by = calibrated: within each constraint the chosen student has the least loss the fidelity stage's fit
     * predicts (intercept + weighted block losses), by brute force over every student of the candidates.
     */
    private static void checkCalibratedSearch(Path run, Settings s, JsonNode fidelity) throws Exception {
        double[] w = new double[3];
        for (int i = 0; i < w.length; i++) {
            w[i] = fidelity.path("calibration_weights").get(i).asDouble();
        }
        StageRunner.run(new SearchStage(), s.with("search.rank-by", "calibrated", "test"), spark, false);
        JsonNode pareto = Json.MAPPER.readTree(run.resolve("search/pareto.json").toFile());
        assertEquals("calibrated", pareto.path("rank_by").asText());
        JsonNode candidates = Json.MAPPER.readTree(run.resolve("supernet/candidates.json").toFile());
        LatencyTable table = LatencyTable.fromJson(new String(Files.readAllBytes(run.resolve("latency/table.json")), StandardCharsets.UTF_8), "t");
        int embeddingSize = pareto.path("embedding_size_setting").asInt();
        StudentSize size = SIZE.withEmbeddingSize(embeddingSize);
        int answered = 0;
        for (JsonNode c : pareto.path("constraints")) {
            long maxParams = c.path("max_parameters").asLong(Long.MAX_VALUE);
            double maxMs = c.path("max_latency_ms").asDouble(Double.POSITIVE_INFINITY);
            double best = Double.POSITIVE_INFINITY;
            for (JsonNode x : candidates.path("blocks").get(0).path("candidates")) {
                for (JsonNode y : candidates.path("blocks").get(1).path("candidates")) {
                    Architecture arch = Architecture.parse(x.path("path").asText() + " | " + y.path("path").asText());
                    if (size.parameters(arch) <= maxParams && table.predictMs(arch, embeddingSize) <= maxMs + 1e-6) {
                        best = Math.min(best, w[0] + w[1] * x.path("loss").asDouble() + w[2] * y.path("loss").asDouble());
                    }
                }
            }
            if (Double.isInfinite(best)) {
                assertTrue(c.path("chosen").isNull(), c.toString());
                continue;
            }
            answered++;
            assertEquals(best, c.path("chosen").path("predicted_loss").asDouble(), 1e-12, c.toString());
            assertEquals(1, c.path("chosen").path("rank_by_predicted_loss").asInt(), "the best predicted is the choice: " + c);
        }
        assertTrue(answered >= 2, pareto.toString());
        StageRunner.run(new SearchStage(), s, spark, false); // back to the supernet's ranking for what follows
    }

    /** The least and the greatest value over every student the two blocks' candidates make. */
    private static long[] range(JsonNode candidates, java.util.function.ToDoubleFunction<Architecture> value) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (JsonNode x : candidates.path("blocks").get(0).path("candidates")) {
            for (JsonNode y : candidates.path("blocks").get(1).path("candidates")) {
                double v = value.applyAsDouble(Architecture.parse(x.path("path").asText() + " | " + y.path("path").asText()));
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        assertTrue(hi > lo, "the candidates make students of different sizes");
        return new long[]{(long) Math.ceil(lo), (long) Math.floor(hi)};
    }

    /** Each bin's scored sample loses its worse half (never going below keep); the counts add up. */
    private static void checkRound(JsonNode round, int r) {
        int binsScored = 0;
        for (JsonNode block : round.path("blocks")) {
            for (JsonNode bin : block.path("bins")) {
                int before = bin.path("paths_before").asInt();
                int after = bin.path("paths_after").asInt();
                JsonNode scored = bin.path("scored");
                String where = "round " + r + " block " + block.path("block") + " bin " + bin.path("bin");
                if (before <= KEEP) {
                    assertEquals(0, scored.size(), where);
                    assertEquals(before, after, where);
                    continue;
                }
                binsScored++;
                assertEquals(Math.min(SAMPLE, before), scored.size(), where);
                int drop = Math.min(scored.size() / 2, before - KEEP);
                assertEquals(before - drop, after, where);
                double worstKept = Double.NEGATIVE_INFINITY;
                double bestDropped = Double.POSITIVE_INFINITY;
                int dropped = 0;
                for (JsonNode p : scored) {
                    double loss = p.path("loss").asDouble();
                    assertTrue(loss > 0 && loss < 10, where + ": " + p);
                    assertEquals(BlockPath.parse(p.path("path").asText()).parameters(4), p.path("parameters").asLong());
                    if (p.path("kept").asBoolean()) {
                        worstKept = Math.max(worstKept, loss);
                    } else {
                        bestDropped = Math.min(bestDropped, loss);
                        dropped++;
                    }
                }
                assertEquals(drop, dropped, where);
                assertTrue(worstKept <= bestDropped, where + ": kept " + worstKept + " > dropped " + bestDropped);
            }
        }
        assertTrue(binsScored > 0, "round " + r + " scored some bin");
    }

    /** The survivors' losses equal held-out block losses computed through the training code's own evaluation. */
    private static void checkCandidateLosses(Path run, Settings settings, JsonNode candidates) throws Exception {
        StageContext context = new StageContext(spark, settings, new RunDirectory(run.toString(), spark.sparkContext().hadoopConfiguration()));
        TrainingData data = TrainingData.read(context, org.nasbert.jobs.teacher.TeacherManifest.read(context.run()),
                SupernetSettings.space(settings), 42, 2);
        SupernetBlock[] master = data.plan.build();
        FileSystem fs = context.run().fileSystem();
        Map<String, WeightTensor> weights = SafeTensors.read(fs, new org.apache.hadoop.fs.Path(new File(run.toFile(),
                "supernet/weights.safetensors").toURI()));
        for (int n = 0; n < master.length; n++) {
            for (String g : master[n].groupNames()) {
                master[n].load(g, weights.get("b" + n + "/" + g).data(), false);
            }
        }
        BlockPath[][] paths = new BlockPath[2][];
        for (int n = 0; n < 2; n++) {
            JsonNode list = candidates.path("blocks").get(n).path("candidates");
            assertTrue(list.size() >= 2 && list.size() <= 3 * KEEP, "block " + n + " keeps at most bins x keep: " + list.size());
            paths[n] = new BlockPath[list.size()];
            for (int i = 0; i < list.size(); i++) {
                paths[n][i] = BlockPath.parse(list.get(i).path("path").asText());
            }
        }
        double[][] expected = ProbeEvaluation.evaluate(JavaSparkContext.fromSparkContext(spark.sparkContext()), data.plan, master,
                data.heldOut, paths);
        data.release();
        for (int n = 0; n < 2; n++) {
            JsonNode list = candidates.path("blocks").get(n).path("candidates");
            for (int i = 0; i < list.size(); i++) {
                double want = expected[n][i];
                assertEquals(want, list.get(i).path("loss").asDouble(), 1e-5 * want, "block " + n + " " + paths[n][i]);
            }
        }
    }

    /** Each constraint's best predicted student is the minimum over every combination of candidates that fits. */
    private static void checkAgainstBruteForce(JsonNode pareto, JsonNode candidates, LatencyTable table, int embeddingSize) {
        StudentSize size = SIZE.withEmbeddingSize(embeddingSize);
        JsonNode a = candidates.path("blocks").get(0).path("candidates");
        JsonNode b = candidates.path("blocks").get(1).path("candidates");
        for (JsonNode c : pareto.path("constraints")) {
            long maxParams = c.has("max_parameters") ? c.path("max_parameters").asLong() : Long.MAX_VALUE;
            double maxMs = c.has("max_latency_ms") ? c.path("max_latency_ms").asDouble() : Double.POSITIVE_INFINITY;
            double best = Double.POSITIVE_INFINITY;
            for (JsonNode x : a) {
                for (JsonNode y : b) {
                    Architecture arch = Architecture.parse(x.path("path").asText() + " | " + y.path("path").asText());
                    if (size.parameters(arch) <= maxParams && table.predictMs(arch, embeddingSize) <= maxMs + 1e-6) {
                        best = Math.min(best, x.path("loss").asDouble() + y.path("loss").asDouble());
                    }
                }
            }
            if (Double.isInfinite(best)) {
                assertTrue(c.path("chosen").isNull(), c.toString());
                continue;
            }
            assertEquals(best, c.path("best_predicted").path("predicted_loss").asDouble(), 1e-12, c.toString());
            JsonNode chosen = c.path("chosen");
            assertTrue(chosen.path("parameters").asLong() <= maxParams, c.toString());
            assertTrue(chosen.path("latency_ms").asDouble() <= maxMs + 1e-6, c.toString());
            assertTrue(chosen.path("measured_loss").asDouble() <= c.path("best_predicted").path("measured_loss").asDouble(),
                    "the chosen student measures no worse than the best predicted one");
        }
        List<JsonNode> front = new ArrayList<>();
        pareto.path("pareto_front").forEach(front::add);
        for (JsonNode p : front) {
            for (JsonNode q : front) {
                boolean dominates = q.path("parameters").asLong() <= p.path("parameters").asLong()
                        && q.path("latency_ms").asDouble() <= p.path("latency_ms").asDouble()
                        && q.path("measured_loss").asDouble() <= p.path("measured_loss").asDouble()
                        && !q.path("architecture").equals(p.path("architecture"))
                        && (q.path("parameters").asLong() < p.path("parameters").asLong()
                        || q.path("latency_ms").asDouble() < p.path("latency_ms").asDouble()
                        || q.path("measured_loss").asDouble() < p.path("measured_loss").asDouble());
                assertFalse(dominates, q + " dominates " + p + " on the front");
            }
        }
    }

    private static java.util.List<String> fieldNames(JsonNode node) {
        java.util.List<String> out = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(out::add);
        return out;
    }
}
