package org.nasbert.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nasbert.io.Json;
import org.nasbert.stage.Stage;
import org.nasbert.testing.TestData;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * conf/airflow/nasbert_dag.py, loaded by python3 (against stand-ins for the Airflow classes it uses, which refuse any
 * argument the real operators do not take) and its templates rendered with Jinja2 for one DAG run: one Spark submit
 * per stage of bin/nasbert, in the pipeline's order after a sensor on the corpus, each with arguments our own
 * command line accepts.
 */
class AirflowDagTest {
    private static final String RUN_ID = "scheduled__2026-11-23T00:00:00+00:00";

    @TempDir
    Path temp;

    @Test
    void theDagSubmitsEveryStageInOrderWithArgumentsTheLauncherAccepts() throws Exception {
        JsonNode dag = render();
        assertEquals("nasbert", dag.path("dag_id").asText());
        JsonNode tasks = dag.path("tasks");
        List<Stage> pipeline = Stages.pipeline();
        assertEquals(pipeline.size() + 1, tasks.size(), "a sensor and one task per stage: " + tasks);

        JsonNode sensor = tasks.get(0);
        assertEquals("WebHdfsSensor", sensor.path("operator").asText());
        String corpus = sensor.path("kwargs").path("filepath").asText();

        ByteArrayOutputStream help = new ByteArrayOutputStream();
        Help.general(new PrintStream(help, true, "UTF-8"), pipeline);
        String helpText = new String(help.toByteArray(), StandardCharsets.UTF_8);
        File settings = temp.resolve("nasbert.properties").toFile();
        Files.write(settings.toPath(), Collections.singletonList("distill.steps = 10"));
        String runDir = null;
        for (int i = 0; i < pipeline.size(); i++) {
            JsonNode task = tasks.get(i + 1);
            JsonNode kwargs = task.path("kwargs");
            String stage = pipeline.get(i).name();
            assertEquals("SparkSubmitOperator", task.path("operator").asText());
            assertEquals(Collections.singletonList(tasks.get(i).path("task_id").asText()), strings(task.path("upstream")),
                    stage + " runs after the task before it");
            assertEquals(NasbertMain.class.getName(), kwargs.path("java_class").asText());
            assertEquals("cluster", kwargs.path("deploy_mode").asText());
            assertTrue(kwargs.path("application").asText().endsWith("-app.jar"), "the shaded jar: " + kwargs);
            assertFalse(kwargs.toString().contains("{{"), "every template rendered: " + kwargs);

            List<String> args = strings(kwargs.path("application_args"));
            assertEquals(stage, args.get(0), "task " + (i + 1) + " is the pipeline's stage " + (i + 1));
            assertTrue(helpText.contains("\n  " + stage + " "), "bin/nasbert --help lists " + stage);
            String run = args.get(args.indexOf("--run") + 1);
            runDir = runDir == null ? run : runDir;
            assertEquals(runDir, run, "every stage works on the same run directory");
            String confFile = args.get(args.indexOf("--conf-file") + 1);
            assertTrue(kwargs.path("files").asText().endsWith("/" + confFile), "the settings file is shipped: " + kwargs);
            assertTrue(kwargs.path("files").asText().contains("/log4j2.properties,"), "the logging configuration is shipped: " + kwargs);
            assertEquals(launcherJavaOptions("driver"), kwargs.path("conf").path("spark.driver.extraJavaOptions").asText(),
                    "the driver's JVM options are bin/nasbert's (cluster mode)");
            assertEquals(launcherJavaOptions("executor"), kwargs.path("conf").path("spark.executor.extraJavaOptions").asText(),
                    "the executors' JVM options are bin/nasbert's");
            assertEquals("__app__.jar", kwargs.path("conf").path("spark.executor.extraClassPath").asText(),
                    "the executors have the application jar (its MKL plugin) from the start, as bin/nasbert gives them in cluster mode");
            for (String a : args) {
                if (a.startsWith("--")) {
                    assertTrue(helpText.contains(a + " "), "bin/nasbert --help lists " + a);
                }
            }
            // the launcher's own parser takes the arguments (the shipped file stands here for the one YARN localises)
            args.set(args.indexOf("--conf-file") + 1, settings.getPath());
            CommandLine cli = CommandLine.parse(args.toArray(new String[0]), Collections.singletonList(pipeline.get(i)));
            assertEquals(runDir, cli.settings.raw("run.dir"));
            assertEquals("10", cli.settings.raw("distill.steps"), "the settings file is read");
            if ("tokenize".equals(stage)) {
                assertEquals(corpus, cli.settings.raw("tokenize.input"), "the sensor waits for what tokenize reads");
            }
        }
        for (Stage stage : pipeline) {
            Set<String> upstream = ancestors(tasks, stage.name().replace("-", "_"));
            for (Stage input : stage.inputs()) {
                assertTrue(upstream.contains(input.name().replace("-", "_")), "the DAG runs " + stage.name() + " after its input "
                        + input.name() + " (declared by the stage): " + upstream);
            }
        }
        // one directory per DAG run, a path Hadoop takes (no ':' or '+' past the scheme)
        assertTrue(runDir.startsWith("hdfs://") && runDir.endsWith("/nasbert/scheduled__2026-11-23T00-00-00-00-00"), runDir);
        assertFalse(runDir.substring("hdfs://".length()).matches(".*[:+].*"), runDir);
    }

    /**
     * The JVM options bin/nasbert passes to spark-submit in cluster mode, read from its text (running it here would
     * build the jar): its --add-opens list, and the driver's and executors' options around it.
     */
    private static String launcherJavaOptions(String which) throws java.io.IOException {
        String launcher = new String(Files.readAllBytes(new File(TestData.projectDir(), "bin/nasbert").toPath()), StandardCharsets.UTF_8);
        java.util.regex.Matcher packages = java.util.regex.Pattern.compile("for p in ([^;]+); do").matcher(launcher);
        assertTrue(packages.find(), "bin/nasbert lists the packages to open");
        List<String> opens = new java.util.ArrayList<>();
        for (String p : packages.group(1).replace("\\\n", " ").trim().split("\\s+")) {
            opens.add("--add-opens=java.base/" + p + "=ALL-UNNAMED");
        }
        assertTrue(launcher.contains("jvm_opts=\"-XX:+IgnoreUnrecognizedVMOptions ${OPENS[*]} -Dbigdl.utils.LoggerFilter.disable=true"),
                "bin/nasbert's cluster-mode options are as this test reads them");
        assertTrue(launcher.contains("spark.executor.extraJavaOptions=-Dlog4j.configurationFile=log4j2.properties $jvm_opts "
                + "-XX:+UseParallelGC"), "bin/nasbert's executor options are as this test reads them");
        assertTrue(launcher.contains("executor_cp=\"__app__.jar\""), "bin/nasbert's cluster-mode executor classpath is as this test reads it");
        String jvm = "-XX:+IgnoreUnrecognizedVMOptions " + String.join(" ", opens) + " -Dbigdl.utils.LoggerFilter.disable=true";
        return "-Dlog4j.configurationFile=log4j2.properties " + jvm + ("executor".equals(which) ? " -XX:+UseParallelGC" : "");
    }

    private JsonNode render() throws Exception {
        Path script = temp.resolve("render_dag.py");
        try (InputStream in = AirflowDagTest.class.getResourceAsStream("/airflow/render_dag.py")) {
            Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
        }
        File dagFile = new File(TestData.projectDir(), "conf/airflow/nasbert_dag.py");
        Process p = new ProcessBuilder("python3", script.toString(), dagFile.getPath(), RUN_ID).redirectErrorStream(false).start();
        byte[] stdout = readAll(p.getInputStream());
        String stderr = new String(readAll(p.getErrorStream()), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "python3 finished");
        assertEquals(0, p.exitValue(), "python3 loads " + dagFile + ":\n" + stderr);
        return Json.MAPPER.readTree(stdout);
    }

    private static byte[] readAll(InputStream in) throws java.io.IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        for (int n; (n = in.read(buffer)) > 0; ) {
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    /** Every task the DAG runs before {@code taskId}, following the upstream links. */
    private static Set<String> ancestors(JsonNode tasks, String taskId) {
        Map<String, List<String>> upstream = new HashMap<>();
        for (JsonNode t : tasks) {
            upstream.put(t.path("task_id").asText(), strings(t.path("upstream")));
        }
        Set<String> seen = new HashSet<>();
        Deque<String> todo = new ArrayDeque<>(upstream.get(taskId));
        while (!todo.isEmpty()) {
            String t = todo.pop();
            if (seen.add(t)) {
                todo.addAll(upstream.get(t));
            }
        }
        return seen;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        for (JsonNode n : array) {
            out.add(n.asText());
        }
        return out;
    }
}
