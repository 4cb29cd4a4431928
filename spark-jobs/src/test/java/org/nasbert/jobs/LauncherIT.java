package org.nasbert.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nasbert.engine.CpuInfo;
import org.nasbert.io.Json;
import org.nasbert.jobs.distill.DistillStage;
import org.nasbert.testing.MklPaths;
import org.nasbert.testing.TestData;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** bin/nasbert itself, as a user runs it, against the jars this build packaged. */
class LauncherIT {
    @TempDir
    Path temp;

    static final class Run {
        final int exitCode;
        final String stdout;
        final String stderr;

        Run(int exitCode, String stdout, String stderr) {
            this.exitCode = exitCode;
            this.stdout = stdout;
            this.stderr = stderr;
        }
    }

    private Run nasbert(Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(new File(TestData.projectDir(), "bin/nasbert").getPath());
        command.addAll(Arrays.asList(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(temp.toFile());
        builder.environment().remove("SPARK_HOME");
        builder.environment().put("NASBERT_DRIVER_MEMORY", "2g");
        builder.environment().putAll(env);
        Path out = temp.resolve("stdout.txt");
        Path err = temp.resolve("stderr.txt");
        Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(process.waitFor(10, TimeUnit.MINUTES), "bin/nasbert " + String.join(" ", args) + " finished");
        return new Run(process.exitValue(), read(out), read(err));
    }

    private static String read(Path file) throws IOException {
        return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    }

    @Test
    void helpAndUsageErrors() throws Exception {
        Run help = nasbert(Map.of(), "--help");
        assertEquals(0, help.exitCode, help.stderr);
        assertTrue(help.stdout.contains("tokenize") && help.stdout.contains("--max-seq-len"), help.stdout);

        Run unknown = nasbert(Map.of(), "frobnicate");
        assertEquals(2, unknown.exitCode);
        assertEquals("nasbert: unknown stage 'frobnicate'; stages: tokenize, teacher, latency, train-blocks, search, distill, fidelity, finetune, evaluate, export, report, pipeline, demo (see bin/nasbert --help)",
                unknown.stderr.trim());

        Run yarn = nasbert(Map.of(), "tokenize", "--master", "yarn");
        assertEquals(2, yarn.exitCode);
        assertTrue(yarn.stderr.contains("--master yarn needs SPARK_HOME"), yarn.stderr);

        Run badDispatch = nasbert(Map.of("NASBERT_MKL_DISPATCH", "fast"), "tokenize", "--run", temp.resolve("never").toString());
        assertEquals(1, badDispatch.exitCode, badDispatch.stderr);
        assertEquals("nasbert tokenize: NASBERT_MKL_DISPATCH=fast: expected auto (the default) or off", badDispatch.stderr.trim());
        assertTrue(!Files.exists(temp.resolve("never")), "stopped before Spark started");
    }

    @Test
    void demoRunsInLocalModeAndSaysWhereItsOutputIs() throws Exception {
        Path run = temp.resolve("demo");
        // a smaller distillation sample than the demo's 512 and a tenth of the sentiment task keep the suite quick;
        // the stages are the same
        String[] args = {"demo", "--run", run.toString(), "--set", "teacher.sequences=64", "--set", "supernet.steps-per-epoch=3",
                "--set", "supernet.checkpoint-every=10", "--set", "distill.steps=20", "--set", "finetune.task=" + sentimentSample(),
                "--set", "finetune.epochs=2"};
        Run demo = nasbert(Map.of("NASBERT_PROGRESS_SECONDS", "0"), args); // every progress line logged
        assertEquals(0, demo.exitCode, demo.stderr);
        assertTrue(demo.stdout.contains("nasbert demo: done"), demo.stdout);
        for (String stage : new String[]{"teacher", "latency", "search", "distill", "finetune", "evaluate", "export"}) {
            assertTrue(progressLines(demo.stderr, stage) > 0, stage + " logs its progress (counts, rate, ETA) while it runs");
        }
        assertTrue(demo.stdout.contains(run.resolve("corpus").toString()), demo.stdout);
        assertTrue(Files.exists(run.resolve("corpus/_SUCCESS")));
        JsonNode manifest = Json.MAPPER.readTree(run.resolve("corpus/manifest.json").toFile());
        assertEquals(138, manifest.path("counts").path("files").asInt());
        assertTrue(manifest.path("counts").path("sequences").asLong() > 2000);

        assertTrue(Files.exists(run.resolve("teacher/_SUCCESS")));
        assertTrue(Files.exists(run.resolve("supernet/_SUCCESS")));
        // every manifest names the CPU; where MKL computed (local mode: in the driver's JVM), the code path that ran
        for (String output : new String[]{"teacher", "supernet", "students", "finetune"}) {
            MklPaths.assertRanFast(Json.MAPPER.readTree(run.resolve(output + "/manifest.json").toFile()).path("machines").path("driver"),
                    output + "/manifest.json");
        }
        assertEquals(CpuInfo.local().vendor(), manifest.path("machines").path("driver").path("cpu").path("vendor").asText());
        assertTrue(demo.stdout.contains("machine    ") && demo.stdout.contains(CpuInfo.local().model()), demo.stdout);
        assertTrue(Files.exists(run.resolve("latency/_SUCCESS")) && Files.exists(run.resolve("latency/table.json")));
        assertTrue(demo.stdout.contains("18 parts (measured)"), "the demo space: 2 widths x 4 ops, embeddings, heads, "
                + "2 projections, ONNX Runtime's run, the output projections to the teacher's 384 and the head there: " + demo.stdout);
        assertTrue(demo.stdout.contains(run.resolve("teacher").toString()) && demo.stdout.contains("fp16 states"), demo.stdout);
        JsonNode supernet = Json.MAPPER.readTree(run.resolve("supernet/manifest.json").toFile());
        assertTrue(supernet.path("shrinking").path("finished").asBoolean(), supernet.toString());
        assertTrue(Files.exists(run.resolve("supernet/candidates.json")) && Files.exists(run.resolve("supernet/shrinking/round-01.json")));
        JsonNode pareto = Json.MAPPER.readTree(run.resolve("search/pareto.json").toFile());
        assertEquals(6, pareto.path("constraints").size(), "the demo's four parameter and two latency budgets");
        // the demo profile's 64-wide embedding tables, their projection and the head (2.01M weights) leave 0.99M for the
        // four blocks under 3M, 0.25M each, more than a path of a block's two smallest bins holds (2/5 of its largest
        // path, 4 x ffn@128 = 0.53M); under 2.2M 0.19M is left, which the smallest kept paths may exceed after this
        // test's short training (seen once; the full demo found a student in both runs): the report then names it
        for (JsonNode c : pareto.path("constraints")) {
            // the latency budgets sit inside this machine's range; on a slower one the report names them as unmet
            boolean mayBeUnmet = c.path("constraint").asText().equals("params=2.2M") || c.has("max_latency_ms");
            if (!mayBeUnmet || c.path("chosen").isObject()) {
                assertTrue(c.path("chosen").isObject(), "a student for " + c.path("constraint").asText() + ": " + c);
                assertEquals(64, c.path("chosen").path("embedding_size").asInt(), c.toString());
            }
        }
        for (JsonNode s : Json.MAPPER.readTree(run.resolve("students/manifest.json").toFile()).path("students")) {
            int width = Integer.parseInt(s.path("architecture").asText().split(":")[0].trim());
            assertEquals("searched".equals(s.path("kind").asText()) ? 64 : width, s.path("embedding_size").asInt(), s.toString());
        }
        assertTrue(Files.exists(run.resolve("students/_SUCCESS")) && demo.stdout.contains(firstSearched(run)), demo.stdout);
        checkLatencyBaselines(run, pareto);
        // fidelity: the demo profile's eight students distilled alone (the chosen ones by distill), each predictor's tau and
        // rho with an interval around it
        JsonNode fidelity = Json.MAPPER.readTree(run.resolve("fidelity/fidelity.json").toFile());
        assertEquals(8, fidelity.path("students").size(), fidelity.toString());
        for (JsonNode st : fidelity.path("students")) {
            assertEquals(st.path("chosen_for").size() > 0 ? "distill" : "fidelity", st.path("trained_by").asText(), st.toString());
        }
        for (String measure : new String[]{"kendall_tau", "spearman_rho"}) {
            JsonNode m = fidelity.path(measure).path("search_score");
            assertTrue(m.path("low").asDouble() <= m.path("estimate").asDouble() && m.path("estimate").asDouble() <= m.path("high").asDouble(),
                    measure + ": " + m);
        }
        assertTrue(Files.exists(run.resolve("fidelity/_SUCCESS")) && !Files.exists(run.resolve("_checkpoints-fidelity")));
        for (String c : new String[]{"params=2.2M: ", "params=3M: ", "params=4.5M: ", "params=6M: "}) {
            assertTrue(demo.stdout.contains(c), "the demo prints the architecture chosen (or none fitting) for " + c + demo.stdout);
        }
        checkScoresAndExports(run, demo.stdout);
        Run again = nasbert(Map.of(), args);
        assertEquals(0, again.exitCode, again.stderr);
        assertTrue(again.stdout.contains("already finished"), again.stdout);

        // a new constraint on the finished run: only the search runs, from the stored tables. Its latency bound is the
        // fastest student the demo chose, as this run's own table times it: a bound in fixed milliseconds would hang on
        // how loaded this machine was while the table was measured
        double bound = 1e9;
        for (JsonNode c : Json.MAPPER.readTree(run.resolve("search/pareto.json").toFile()).path("constraints")) {
            if (c.path("chosen").isObject()) {
                bound = Math.min(bound, c.path("chosen").path("latency_ms").asDouble());
            }
        }
        String constraint = String.format(java.util.Locale.ROOT, "params=5M,latency=%.4fms", bound * 1.0001);
        Run search = nasbert(Map.of(), "search", "--run", run.toString(), "--constraint", constraint);
        assertEquals(0, search.exitCode, search.stderr);
        assertTrue(search.stdout.contains(constraint + ": "), search.stdout);
        JsonNode answer = Json.MAPPER.readTree(run.resolve("search/pareto.json").toFile()).path("constraints");
        assertEquals(1, answer.size());
        assertTrue(answer.get(0).path("chosen").isObject(), "a student fits: " + answer);
        assertTrue(answer.get(0).path("chosen").path("parameters").asLong() <= 5_000_000, answer.toString());
        assertTrue(answer.get(0).path("chosen").path("latency_ms").asDouble() <= bound * 1.0001, answer.toString());
        probeTableDrivesASearchOnAnotherDevice(run);
    }

    /**
     * The serving-machine probe, as a user runs it: plain java -jar on the run's latency/space.json; its table joins the
     * run as device "edge", a constraint on edge is met on edge's table, and a device with no table is refused by name.
     */
    private void probeTableDrivesASearchOnAnotherDevice(Path run) throws Exception {
        Path jar = TestData.projectDir().toPath().resolve("latency-probe/target/nasbert-latency-probe.jar");
        Path edge = run.resolveSibling("edge-table.json");
        Process probe = new ProcessBuilder(Paths.get(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString(),
                "--space", run.resolve("latency/space.json").toString(), "--out", edge.toString(), "--threads", "2")
                .redirectErrorStream(true).redirectOutput(run.resolveSibling("probe.log").toFile()).start();
        assertEquals(0, probe.waitFor(), read(run.resolveSibling("probe.log")));
        String tables = "latency.tables=edge=" + edge;
        // the demo's space is its profile's (bin/nasbert demo applies it; a single stage takes it as a settings file)
        String profile = TestData.projectDir().toPath().resolve("conf/demo-profile.properties").toString();
        Run latency = nasbert(Map.of(), "latency", "--run", run.toString(), "--force", "--conf-file", profile, "--set", tables);
        assertEquals(0, latency.exitCode, latency.stderr);
        Run unknown = nasbert(Map.of(), "search", "--run", run.toString(), "--set", tables, "--constraint", "latency@phone=1ms");
        assertEquals(1, unknown.exitCode, unknown.stdout);
        assertTrue(unknown.stderr.contains("'phone'") && unknown.stderr.contains("default, edge"), unknown.stderr);
        Run onEdge = nasbert(Map.of(), "search", "--run", run.toString(), "--set", tables, "--constraint", "latency@edge=1.5ms");
        assertEquals(0, onEdge.exitCode, onEdge.stderr);
        JsonNode pareto = Json.MAPPER.readTree(run.resolve("search/pareto.json").toFile());
        JsonNode chosen = pareto.path("constraints").get(0).path("chosen");
        assertEquals("edge", pareto.path("constraints").get(0).path("device").asText());
        assertTrue(chosen.path("latency_ms_by_device").path("edge").asDouble() <= 1.5, chosen.toString());
        assertTrue(pareto.path("pareto_fronts").has("edge") && pareto.path("pareto_fronts").has("default"), pareto.toString());
    }

    /**
     * Each constraint with a student has an equal-latency baseline: of the uniform encoders (hidden 64 or 128, 1 to 6
     * layers; brute force here) the one with the most weights whose predicted latency fits the constraint's budget, or
     * the searched student's own prediction under a parameter budget.
     */
    private static void checkLatencyBaselines(Path run, JsonNode pareto) throws Exception {
        org.nasbert.latency.LatencyTable table = org.nasbert.latency.LatencyTable.fromJson(read(run.resolve("latency/table.json")), "table");
        org.nasbert.space.StudentSize size = new org.nasbert.space.StudentSize(30522, 512, 2, 4);
        Map<String, String> byLatency = new java.util.HashMap<>();
        for (JsonNode s : Json.MAPPER.readTree(run.resolve("students/manifest.json").toFile()).path("students")) {
            List<String> constraints = DistillStage.constraints(s.path("constraint").asText());
            for (int i = 0; i < constraints.size(); i++) {
                if ("latency".equals(s.path(DistillStage.BASELINE_FOR).path(i).asText())) {
                    byLatency.put(constraints.get(i), s.path("architecture").asText());
                }
            }
        }
        for (JsonNode c : pareto.path("constraints")) {
            if (!c.path("chosen").isObject()) {
                continue;
            }
            double budget = c.path("max_latency_ms").asDouble(c.path("chosen").path("latency_ms").asDouble());
            org.nasbert.space.Architecture best = null;
            for (int h : new int[]{64, 128}) {
                for (int l = 1; l <= 6; l++) {
                    org.nasbert.space.Architecture a = org.nasbert.student.Baselines.uniform(l, h);
                    if (table.predictMs(a) <= budget && (best == null || size.parameters(a) > size.parameters(best))) {
                        best = a;
                    }
                }
            }
            assertEquals(best == null ? null : best.toString(), byLatency.get(c.path("constraint").asText()), c.toString());
        }
    }

    /** The name distill gave the first searched student (searched-01 unless the first constraint had none). */
    private static String firstSearched(Path run) throws IOException {
        for (JsonNode s : Json.MAPPER.readTree(run.resolve("students/manifest.json").toFile()).path("students")) {
            if ("searched".equals(s.path("kind").asText())) {
                return s.path("name").asText();
            }
        }
        throw new AssertionError("no searched student in " + run.resolve("students/manifest.json"));
    }

    /** Every eighth training and sixth dev sentence of data/sentiment: 300 and 100, from all three sources. */
    private String sentimentSample() throws IOException {
        Path task = temp.resolve("sentiment");
        Files.createDirectories(task);
        Path shipped = TestData.projectDir().toPath().resolve("data/sentiment");
        for (String[] f : new String[][]{{"train.tsv", "8"}, {"dev.tsv", "6"}}) {
            List<String> lines = Files.readAllLines(shipped.resolve(f[0]), StandardCharsets.UTF_8);
            List<String> kept = new ArrayList<>();
            for (int i = 0; i < lines.size(); i += Integer.parseInt(f[1])) {
                kept.add(lines.get(i));
            }
            Files.write(task.resolve(f[0]), kept, StandardCharsets.UTF_8);
        }
        return task.toString();
    }

    /** Progress lines (counts and an ETA) logged between the stage's "writing" and "finished" lines. */
    private static long progressLines(String log, String stage) {
        String[] lines = log.split("\n");
        boolean inside = false;
        long n = 0;
        for (String line : lines) {
            if (line.contains("StageRunner: " + stage + ": writing ")) {
                inside = true;
            } else if (line.contains("StageRunner: " + stage + ": finished ")) {
                inside = false;
            } else if (inside && (line.contains(" Progress: ") || line.contains(" JobProgress: ")) && line.contains(" ETA ")) {
                n++;
            }
        }
        return n;
    }

    /** The fine-tuned teacher and students scored on held-out sentences; the exported ONNX computes what the student does. */
    private static void checkScoresAndExports(Path run, String stdout) throws Exception {
        JsonNode metrics = Json.MAPPER.readTree(run.resolve("evaluate/metrics.json").toFile());
        int students = Json.MAPPER.readTree(run.resolve("students/manifest.json").toFile()).path("students").size();
        JsonNode models = metrics.path("models");
        assertEquals(students + 1, models.size(), metrics.toString());
        assertEquals(100, metrics.path("files").get(0).path("examples").asInt());
        assertEquals("teacher", models.get(0).path("kind").asText());
        double teacher = models.get(0).path("metrics").path("dev.tsv").path("accuracy").asDouble(-1);
        // the majority class is 0.52 of the 100 (one standard error 0.05); MiniLM with its top layer fine-tuned on 300
        // sentences does far better (0.75 and above seen)
        assertTrue(teacher >= 0.65, "fine-tuned teacher's dev accuracy " + teacher);
        for (JsonNode m : models) {
            double a = m.path("metrics").path("dev.tsv").path("accuracy").asDouble(-1);
            assertTrue(a >= 0 && a <= 1, m.toString());
        }
        assertTrue(stdout.contains("dev.tsv accuracy") && Files.exists(run.resolve("evaluate/report.md")), stdout);
        // every score has a bootstrap interval around it; every searched student meets each baseline of its constraints
        Map<String, Double> accuracy = new java.util.HashMap<>();
        for (JsonNode m : models) {
            double a = m.path("metrics").path("dev.tsv").path("accuracy").asDouble();
            JsonNode ci = m.path("intervals").path("dev.tsv").path("accuracy");
            assertTrue(ci.path("low").asDouble() <= a && a <= ci.path("high").asDouble() && ci.path("high").asDouble() - ci.path("low").asDouble() > 0.05,
                    "100 examples: an interval about 0.2 wide around " + a + ": " + ci);
            accuracy.put(m.path("name").asText(), a);
        }
        int pairs = 0;
        for (JsonNode s : models) {
            for (JsonNode b : models) {
                if ("searched".equals(s.path("kind").asText()) && "baseline".equals(b.path("kind").asText())
                        && !java.util.Collections.disjoint(DistillStage.constraints(s.path("constraint").asText()),
                        DistillStage.constraints(b.path("constraint").asText()))) {
                    pairs++;
                }
            }
        }
        assertEquals(pairs, metrics.path("comparisons").size(), "one comparison per searched student and baseline sharing a constraint");
        for (JsonNode c : metrics.path("comparisons")) {
            double d = accuracy.get(c.path("searched").asText()) - accuracy.get(c.path("baseline").asText());
            assertEquals(d, c.path("difference").asDouble(), 1e-12, c.toString());
            assertEquals("mcnemar-exact", c.path("test").asText());
            double p = c.path("p").asDouble();
            assertEquals(p < 0.05 && d != 0 ? (d > 0 ? "better" : "worse") : "not distinguishable", c.path("verdict").asText(), c.toString());
            assertTrue(p > 0 && p <= 1 && c.path("low").asDouble() <= d && d <= c.path("high").asDouble(), c.toString());
        }

        Path exported = run.resolve("export").resolve(firstSearched(run));
        for (String f : new String[]{"config.json", "model.safetensors", "vocab.txt", "arch.json", "model.onnx", "classifier.onnx"}) {
            assertTrue(Files.exists(exported.resolve(f)), exported + "/" + f);
        }
        try (java.util.stream.Stream<Path> files = Files.list(exported)) {
            List<String> hidden = files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith(".")).collect(Collectors.toList());
            assertEquals(List.of(), hidden, "nothing but the model's files (no Hadoop .crc files) in " + exported);
        }
        JsonNode export = Json.MAPPER.readTree(run.resolve("export/manifest.json").toFile());
        assertTrue(export.path("students").get(0).path("measured_ms").asDouble() > 0, export.toString());
        // every exported student timed in the engine that serves it, beside the table's prediction
        assertEquals("onnxruntime", export.path("engine").asText());
        for (JsonNode s : export.path("students")) {
            JsonNode served = s.path("served_latency").path("default");
            assertEquals("classifier.onnx", served.path("file").asText(), s.toString());
            assertTrue(served.path("measured_ms").asDouble() > 0 && served.path("predicted_ms").asDouble() > 0, s.toString());
            assertEquals(s.path("measured_ms").asDouble(), served.path("measured_ms").asDouble(), 0.0);
        }
        double worst = OnnxCheck.maxDifference(exported);
        assertTrue(worst <= 1e-4, "ONNX Runtime vs the BigDL student: max |diff| " + worst);
        double logits = OnnxCheck.classifierDifference(exported, run.resolve("finetune").resolve(firstSearched(run)), 2);
        assertTrue(logits <= 1e-4, "ONNX Runtime vs the fine-tuned BigDL student and head: max |logit diff| " + logits);
        checkReport(run, metrics, stdout);
    }

    /** The report: a row per constraint with the scores evaluate wrote, and four charts that decode as images. */
    private static void checkReport(Path run, JsonNode metrics, String stdout) throws Exception {
        assertTrue(Files.exists(run.resolve("report/_SUCCESS")), "the pipeline ends with the report");
        String md = read(run.resolve("report/report.md"));
        java.util.Map<String, Double> accuracy = new java.util.HashMap<>();
        for (JsonNode m : metrics.path("models")) {
            accuracy.put(m.path("name").asText(), m.path("metrics").path("dev.tsv").path("accuracy").asDouble());
        }
        JsonNode rows = Json.MAPPER.readTree(run.resolve("report/summary.json").toFile());
        int chosen = 0;
        for (JsonNode c : Json.MAPPER.readTree(run.resolve("search/pareto.json").toFile()).path("constraints")) {
            chosen += c.path("chosen").isObject() ? 1 : 0;
            if (!c.path("chosen").isObject()) {
                assertTrue(md.contains("No student for: ") && md.contains(c.path("constraint").asText() + " ("),
                        "the report names the constraint no student met:\n" + md);
            }
        }
        assertEquals(chosen, rows.size(), "a row per constraint with a student: " + rows);
        for (JsonNode row : rows) {
            JsonNode searched = row.path("searched");
            assertEquals(accuracy.get(searched.path("name").asText()), searched.path("score").asDouble(), 1e-12, row.toString());
            assertEquals(accuracy.get(row.path("baseline").path("name").asText()), row.path("baseline").path("score").asDouble(), 1e-12);
            assertTrue(searched.path("measured_ms").asDouble() > 0 && searched.path("predicted_ms").asDouble() > 0, row.toString());
            // in the Markdown table the architecture's block separators are escaped, so the row keeps its 13 cells
            String cell = "`" + searched.path("architecture").asText().replace("|", "\\|") + "`";
            assertTrue(md.contains("| " + row.path("constraint").asText() + " | " + cell + " |"), cell + " in\n" + md);
            assertTrue(md.contains(String.format("| %.4f |%n", accuracy.get("teacher"))), "the teacher's score ends each row:\n" + md);
        }
        assertTrue(md.contains("## Ranking fidelity") && md.contains("| search score (what the search chooses by) | "), md);
        assertTrue(md.contains("## Latency in the serving engine") && md.contains("| " + firstSearched(run) + " | default | classifier.onnx |"), md);
        for (String png : new String[]{"pareto-latency.png", "pareto-parameters.png", "block-losses.png", "pruning.png", "fidelity.png"}) {
            java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(run.resolve("report").resolve(png).toFile());
            assertTrue(image != null && image.getWidth() == 900 && image.getHeight() == 560, png);
            assertTrue(md.contains("(" + png + ")"), "report.md shows " + png);
        }
        assertTrue(stdout.contains("per constraint: searched student vs same-budget baseline"), stdout);
    }

    /**
     * With SPARK_HOME the launcher execs spark-submit with the shaded jar. Here SPARK_HOME is a
     * directory whose bin/spark-submit starts Spark's own SparkSubmit on the build's Spark jars.
     */
    @Test
    void withSparkHomeItSubmitsTheShadedJarThroughSparkSubmit() throws Exception {
        Path sparkHome = temp.resolve("spark-home");
        Files.createDirectories(sparkHome.resolve("bin"));
        String classpath = read(TestData.projectDir().toPath().resolve("spark-jobs/target/classpath.txt")).trim();
        StringBuilder opens = new StringBuilder();
        for (String p : new String[]{"java.lang", "java.lang.invoke", "java.lang.reflect", "java.io", "java.net", "java.nio",
                "java.util", "java.util.concurrent", "java.util.concurrent.atomic", "sun.nio.ch", "sun.nio.cs",
                "sun.security.action", "sun.util.calendar"}) {
            opens.append(" --add-opens=java.base/").append(p).append("=ALL-UNNAMED");
        }
        Path submit = sparkHome.resolve("bin/spark-submit");
        Files.write(submit, ("#!/usr/bin/env bash\n"
                + "echo \"spark-submit $*\" >&2\n"
                + "exec java -Xmx1g" + opens + " -Dlog4j.configurationFile=" + TestData.projectDir() + "/conf/log4j2.properties"
                + " -cp '" + classpath + "' org.apache.spark.deploy.SparkSubmit \"$@\"\n").getBytes(StandardCharsets.UTF_8));
        assertTrue(submit.toFile().setExecutable(true));
        Path input = Files.createDirectories(temp.resolve("in"));
        Files.copy(new File(TestData.mobyDick(), "chapter-003.txt").toPath(), input.resolve("c3.txt"));
        Path run = temp.resolve("submitted");

        Run submitted = nasbert(Map.of("SPARK_HOME", sparkHome.toString()), "tokenize", "--master", "local[2]",
                "--run", run.toString(), "--input", input.toString());

        assertEquals(0, submitted.exitCode, submitted.stderr);
        String line = submitted.stderr.lines().filter(l -> l.startsWith("spark-submit ")).findFirst().orElse("");
        assertTrue(line.contains("--class org.nasbert.jobs.NasbertMain"), line);
        assertTrue(line.contains("-app.jar tokenize"), line);
        assertTrue(line.contains("--files " + TestData.projectDir() + "/conf/log4j2.properties"), line);
        assertTrue(line.contains("--master local[2]"), line);
        assertTrue(line.contains("--name nasbert tokenize run=" + run), "named before any driver starts: " + line);
        assertTrue(Files.exists(run.resolve("corpus/_SUCCESS")), submitted.stderr);
    }
}
