package org.nasbert.jobs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nasbert.stage.StageResult;
import org.nasbert.testing.TestData;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line as users type it, run in-process (local[2]). */
class NasbertMainTest {
    @TempDir
    Path temp;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private NasbertMain.Result run(String... args) {
        String[] withMaster = new String[args.length + 2];
        System.arraycopy(args, 0, withMaster, 0, args.length);
        withMaster[args.length] = "--master";
        withMaster[args.length + 1] = "local[2]";
        boolean noSpark = args.length == 0 || String.join(" ", args).contains("--help");
        return NasbertMain.run(noSpark ? args : withMaster, new PrintStream(out, true), new PrintStream(err, true));
    }

    private String stdout() {
        return new String(out.toByteArray(), StandardCharsets.UTF_8);
    }

    private String stderr() {
        return new String(err.toByteArray(), StandardCharsets.UTF_8);
    }

    @Test
    void helpListsTheStagesAndEveryOptionWithItsDefault() {
        assertEquals(0, run("--help").exitCode);
        String help = stdout();
        assertTrue(help.contains("tokenize") && help.contains("demo"), help);
        for (String flag : new String[]{"--run", "--conf-file", "--set", "--force", "--master", "--input", "--vocab",
                "--document", "--segment", "--max-seq-len", "--short-seq-prob", "--seed", "--max-line-bytes", "--partitions"}) {
            assertTrue(help.contains(flag + " "), "help lists " + flag);
        }
        assertTrue(help.contains("[128]"), "defaults shown");
        out.reset();
        assertEquals(0, run("tokenize", "--help").exitCode);
        assertTrue(stdout().startsWith("usage: bin/nasbert tokenize"));
    }

    @Test
    void anUnknownStageExitsWithTwoAndOneLineNamingTheStages() {
        assertEquals(2, run("tokenise").exitCode);
        assertEquals("nasbert: unknown stage 'tokenise'; stages: tokenize, teacher, latency, train-blocks, search, distill, fidelity, finetune, evaluate, export, report, pipeline, demo (see bin/nasbert --help)",
                stderr().trim());
        assertEquals("", stdout());
    }

    @Test
    void anUnknownOptionOrAMissingValueExitsWithTwo() {
        assertEquals(2, run("tokenize", "--max-seq-length", "64").exitCode);
        assertEquals("nasbert tokenize: unknown option '--max-seq-length' (see bin/nasbert tokenize --help)",
                stderr().trim());
        err.reset();
        assertEquals(2, NasbertMain.run(new String[]{"tokenize", "--max-seq-len"}, new PrintStream(out), new PrintStream(err)).exitCode);
        assertEquals("nasbert tokenize: option --max-seq-len needs a value", stderr().trim());
    }

    @Test
    void aFlagThatSeveralStagesShareIsRefusedInThePipelineAndNamesTheirKeys() {
        assertEquals(2, NasbertMain.run(new String[]{"pipeline", "--batch-size", "8"}, new PrintStream(out), new PrintStream(err)).exitCode);
        assertEquals("nasbert pipeline: option --batch-size is ambiguous here; use --set with one of teacher.batch-size, supernet.batch-size, "
                + "distill.batch-size, finetune.batch-size (e.g. --set teacher.batch-size=...)", stderr().trim());
    }

    @Test
    void anInvalidValueStopsBeforeSparkStartsNamingTheSettingAndItsOrigin() {
        assertEquals(1, run("tokenize", "--run", temp.toString(), "--max-seq-len", "lots").exitCode);
        assertEquals("nasbert tokenize: setting tokenize.max-seq-len = 'lots' (from --max-seq-len) is invalid: "
                + "expected an integer in [8, 8192]", stderr().trim());
        assertFalse(new File(temp.toFile(), "corpus").exists());
    }

    @Test
    void flagsWinOverTheSettingsFileWhichWinsOverTheDefaults() throws Exception {
        Path input = Files.createDirectories(temp.resolve("in"));
        Files.copy(new File(TestData.mobyDick(), "chapter-010.txt").toPath(), input.resolve("c10.txt"));
        Path conf = temp.resolve("my.properties");
        Files.write(conf, ("tokenize.max-seq-len = 64\ntokenize.seed = 7\ntokenize.input = " + input + "\n")
                .getBytes(StandardCharsets.UTF_8));
        NasbertMain.Result result = run("tokenize", "--run", temp.resolve("run").toString(),
                "--conf-file", conf.toString(), "--seed", "9", "--set", "tokenize.short-seq-prob=0");
        assertEquals(0, result.exitCode, stderr());
        StageResult tokenize = result.stages.get(0);
        assertEquals("64", tokenize.manifest.path("settings").path("tokenize.max-seq-len").asText(), "from the file");
        assertEquals("9", tokenize.manifest.path("settings").path("tokenize.seed").asText(), "flag over file");
        assertEquals("0.0", tokenize.manifest.path("settings").path("tokenize.short-seq-prob").asText(), "--set");
        assertEquals("sentence", tokenize.manifest.path("settings").path("tokenize.segment").asText(),
                "default");
        assertTrue(stdout().contains("tokenize") && stdout().contains("sequences"), stdout());
    }

    @Test
    void anUnknownKeyInTheSettingsFileIsRejected() throws Exception {
        Path conf = temp.resolve("typo.properties");
        Files.write(conf, "tokenize.max_seq_len = 64\n".getBytes(StandardCharsets.UTF_8));
        assertEquals(1, run("tokenize", "--conf-file", conf.toString()).exitCode);
        assertTrue(stderr().contains("unknown setting 'tokenize.max_seq_len' (from " + conf + ")"), stderr());
    }

    @Test
    void aFailingStageExitsWithOneAndItsReason() {
        assertEquals(1, run("tokenize", "--run", temp.resolve("run").toString(), "--input",
                temp.resolve("nothing-here").toString()).exitCode);
        assertTrue(stderr().trim().endsWith("does not exist (or matches no file)"), stderr());
    }

    @Test
    void aStageWhoseInputIsMissingIsRefusedBeforeAnyWorkNamingTheCommandThatMakesIt() throws Exception {
        Path run = temp.resolve("run");
        Files.createDirectories(run.resolve("corpus")); // tokenize started but never finished: no _SUCCESS
        assertEquals(1, run("teacher", "--run", run.toString()).exitCode);
        String line = stderr().trim();
        assertTrue(line.startsWith("nasbert teacher: teacher reads the tokenize stage's output ") && line.contains(run + "/corpus")
                && line.endsWith("make it first with: bin/nasbert tokenize --run file:" + run), line);
        assertEquals(1, line.split("\n").length, "one line: " + line);
        try (java.util.stream.Stream<Path> left = Files.list(run)) {
            assertEquals(java.util.Collections.singletonList("corpus"), left.map(p -> p.getFileName().toString())
                    .collect(java.util.stream.Collectors.toList()), "nothing written");
        }
    }

    @Test
    void helpSaysWhatEachStageReads() {
        assertEquals(0, run("evaluate", "--help").exitCode);
        assertTrue(stdout().contains("evaluate reads: tokenize, distill, finetune\n"), stdout());
        out.reset();
        assertEquals(0, run("report", "--help").exitCode);
        assertTrue(stdout().contains("report reads: train-blocks, search, distill, evaluate, export; fidelity when finished\n"), stdout());
    }

    @Test
    void thePipelineRunsEveryStageAfterItsInputs() {
        java.util.List<String> order = new java.util.ArrayList<>();
        for (org.nasbert.stage.Stage stage : Stages.pipeline()) {
            for (org.nasbert.stage.Stage input : stage.inputs()) {
                assertTrue(order.contains(input.name()), stage.name() + " after " + input.name());
            }
            order.add(stage.name());
        }
        java.util.List<org.nasbert.stage.Stage> swapped = new java.util.ArrayList<>(Stages.pipeline());
        java.util.Collections.swap(swapped, 0, 1);
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> Stages.inInputOrder(swapped));
        assertEquals("the pipeline runs teacher before its input tokenize", e.getMessage());
    }
}
