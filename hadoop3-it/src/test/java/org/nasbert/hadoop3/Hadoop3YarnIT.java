package org.nasbert.hadoop3;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.yarn.api.records.ApplicationReport;
import org.apache.hadoop.yarn.api.records.FinalApplicationStatus;
import org.apache.hadoop.yarn.client.api.YarnClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.File;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The stages on a Hadoop 3.4 cluster, as on Amazon EMR 7 or any Hadoop 3 YARN: HDFS and YARN of
 * hadoop-client-minicluster 3.4 in a JVM of their own (its own classpath and a node's environment), Spark 2.4.6 for
 * Hadoop 2.7 unpacked on the "gateway" (SPARK_HOME) and shipped to the containers with {@code spark.yarn.archive} on
 * HDFS, and bin/nasbert submitting: tokenize in client deploy mode, teacher in cluster deploy mode (the driver in
 * the ApplicationMaster's container), both reading and writing {@code hdfs://} on Hadoop 3. Hadoop 2.7's client
 * talks to Hadoop 3's HDFS and YARN; the outputs are read back with Hadoop 3's client.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class Hadoop3YarnIT {
    private static final String RUN = "/user/nasbert/runs/r1";
    private static ClusterProcess cluster;
    /** SPARK_HOME on the gateway: Spark 2.4.6 for Hadoop 2.7 (org.nasbert.testing.SparkInstallation, run as a command). */
    private static File sparkHome;
    private static FileSystem fs;
    private static String archive;
    /** The cluster's disks, the unpacked Spark and its archive: about 1 GB, removed when the tests end. */
    private static File work;

    @BeforeAll
    static void start() throws Exception {
        work = Files.createTempDirectory(new File(System.getProperty("java.io.tmpdir")).toPath(), "hadoop3-it").toFile();
        cluster = ClusterProcess.start(work);
        fs = FileSystem.get(URI.create(cluster.fileSystem), clientConf());
        sparkHome = sparkInstallation(work);
        // done once per cluster by its administrator or the first user: Spark's jars on HDFS, localised by each node
        archive = cluster.fileSystem + "/apps/spark-2.4.6/spark-jars.zip";
        fs.copyFromLocalFile(new Path(new File(work, "spark-jars.zip").getAbsolutePath()), new Path(archive));
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
        if (work != null) {
            try (Stream<java.nio.file.Path> files = Files.walk(work.toPath())) {
                files.sorted(java.util.Comparator.reverseOrder()).map(java.nio.file.Path::toFile).forEach(File::delete);
            }
        }
    }

    @Test
    @Order(1)
    void tokenizeInClientModeAndTeacherInClusterModeRunOnHadoop3() throws Exception {
        Path corpus = new Path("/data/corpus");
        File chapters = new File(System.getProperty("nasbert.project.dir"), "data/moby-dick");
        List<String> names = Arrays.asList("chapter-001.txt", "chapter-002.txt", "chapter-003.txt");
        for (String name : names) {
            fs.copyFromLocalFile(new Path(new File(chapters, name).getAbsolutePath()), new Path(corpus, name));
        }
        String run = cluster.fileSystem + RUN;

        String tokenize = nasbert("tokenize", "--deploy-mode", "client", "--conf", "spark.yarn.am.memory=512m",
                "--conf", "spark.driver.host=127.0.0.1", "--run", run, "--input", cluster.fileSystem + corpus);
        String corpusManifest = read(run + "/corpus/manifest.json");
        assertTrue(corpusManifest.contains("\"files\" : " + names.size()), corpusManifest);
        assertTrue(fs.exists(new Path(run + "/corpus/_SUCCESS")), tokenize);

        // the teacher with the nodes' Hadoop 3 jars kept off the containers' classpath (docs/hadoop3.md), tokenize without
        String teacher = nasbert("teacher", "--deploy-mode", "cluster", "--conf", "spark.yarn.appMasterEnv.SPARK_LOCAL_IP=127.0.0.1",
                "--conf", "spark.hadoop.yarn.application.classpath=$HADOOP_CONF_DIR",
                "--conf", "spark.hadoop.mapreduce.application.classpath=$HADOOP_CONF_DIR",
                "--run", run, "--sequences", "40", "--held-out", "0.2", "--set", "teacher.states=materialize");
        assertTrue(containerLogsContain("nasbert teacher: done"), "the driver ran in a YARN container (cluster mode): " + teacher);
        String teacherManifest = read(run + "/teacher/manifest.json");
        // an executor ran on the node, with the application jar's MKL plugin on its classpath from the start
        assertTrue(teacherManifest.contains("\"executors\""), teacherManifest);
        assertTrue(containerLogsContain("MklExecutorPlugin: MKL code path"), "the executor plugin ran");
        assertTrue(fs.listStatus(new Path(run + "/teacher/data")).length > 0, "Parquet states on HDFS");

        Map<String, ApplicationReport> apps = applications();
        for (String stage : new String[]{"tokenize", "teacher"}) {
            ApplicationReport app = apps.get("nasbert " + stage + " run=" + run);
            assertTrue(app != null, "YARN ran " + stage + ": " + apps.keySet());
            assertEquals(FinalApplicationStatus.SUCCEEDED, app.getFinalApplicationStatus(), stage);
        }
        String tokenizeClasspath = launchScripts(apps.get("nasbert tokenize run=" + run));
        String teacherClasspath = launchScripts(apps.get("nasbert teacher run=" + run));
        assertTrue(tokenizeClasspath.contains("$HADOOP_COMMON_HOME/share/hadoop/common/*"), "by default Hadoop 3's jars follow Spark's");
        assertTrue(teacherClasspath.contains("__spark_libs__") && !teacherClasspath.contains("share/hadoop"),
                "only Spark 2.4's Hadoop 2.7 client: " + teacherClasspath);
    }

    /**
     * YARN retries an ApplicationMaster that dies: the second attempt of a train-blocks killed mid-training (its driver,
     * in cluster mode the ApplicationMaster's JVM) takes over the run's lock of the first and resumes from the first's
     * last checkpoint on HDFS instead of training again. Uses the first test's corpus and teacher states.
     */
    @Test
    @Order(2)
    void aSecondAttemptResumesFromTheFirstAttemptsCheckpoint() throws Exception {
        String run = cluster.fileSystem + RUN;
        assertTrue(fs.exists(new Path(run + "/teacher/_SUCCESS")), "the first test made the teacher states");
        String[] space = {"--set", "supernet.hidden-sizes=64", "--set", "supernet.kernels=3"};
        nasbert("latency", concat(new String[]{"--deploy-mode", "client", "--conf", "spark.yarn.am.memory=512m",
                "--conf", "spark.driver.host=127.0.0.1", "--run", run, "--set", "latency.runs=3"}, space));
        List<String> command = new ArrayList<>(Arrays.asList("--deploy-mode", "cluster", "--conf",
                "spark.yarn.appMasterEnv.SPARK_LOCAL_IP=127.0.0.1", "--driver-memory", "2g", "--run", run));
        command.addAll(Arrays.asList(space));
        for (String setting : new String[]{"supernet.layers-per-block=2", "supernet.batch-size=8", "supernet.steps=60",
                "supernet.warmup-steps=10", "supernet.checkpoint-every=10", "supernet.eval-paths=2", "supernet.steps-per-epoch=1000",
                "prune.bins=2", "prune.keep=2", "prune.sample=4", "prune.eval-sequences=4"}) {
            command.add("--set");
            command.add(setting);
        }
        Process submission = start("train-blocks", command.toArray(new String[0]));
        ProcessHandle firstDriver = null;
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(6);
        while (System.nanoTime() < deadline && submission.isAlive()) {
            if (fs.globStatus(new Path(run + "/_checkpoints-supernet/step-*/_SUCCESS")).length > 0) {
                firstDriver = ProcessHandle.allProcesses().filter(p -> p.info().command().map(c -> c.endsWith("/java")).orElse(false)
                        && p.info().commandLine().map(c -> c.contains("org.apache.spark.deploy.yarn.ApplicationMaster")
                        && c.contains("train-blocks")).orElse(false)).findFirst().orElse(null);
                break;
            }
            Thread.sleep(200);
        }
        assertTrue(firstDriver != null, "the first attempt's driver was training when its first checkpoint appeared");
        long checkpointed = fs.globStatus(new Path(run + "/_checkpoints-supernet/step-*/_SUCCESS")).length;
        firstDriver.destroyForcibly(); // as a node loss or an OOM-killer would
        assertTrue(submission.waitFor(10, TimeUnit.MINUTES), "the application finished in 10 minutes");
        assertEquals(0, submission.exitValue(), "spark-submit reports the application's success");

        ApplicationReport app = applications().get("nasbert train-blocks run=" + run);
        assertEquals(FinalApplicationStatus.SUCCEEDED, app.getFinalApplicationStatus(), app.getDiagnostics());
        assertEquals(2, app.getCurrentApplicationAttemptId().getAttemptId(), "YARN ran a second attempt");
        String manifest = read(run + "/supernet/manifest.json");
        java.util.regex.Matcher resumed = java.util.regex.Pattern.compile("\"resumed_from_step\" : (\\d+)").matcher(manifest);
        assertTrue(resumed.find() && Long.parseLong(resumed.group(1)) >= 9 && checkpointed >= 1, manifest);
        assertTrue(containerLogsContain("an earlier attempt of this application"), "the second attempt took over the run's lock");
        assertTrue(!fs.exists(new Path(run + "/_checkpoints-supernet")), "checkpoints removed once the output is complete");
        // the loss curves reach HDFS (BigDL's TensorBoard writer, which closes the file system it writes through, is kept
        // off HDFS's shared client: the stage used to fail at its end with "Filesystem closed")
        assertTrue(fs.globStatus(new Path(run + "/supernet/tensorboard/block-0/train/*tfevents*")).length > 0, "TensorBoard curves");
    }

    @Test
    void aStageFailingInClusterModeEndsFailedWithItsReasonInTheApplicationMastersLog() throws Exception {
        String run = cluster.fileSystem + "/user/nasbert/runs/no-corpus";
        Run failed = submit("teacher", "--deploy-mode", "cluster", "--conf", "spark.yarn.appMasterEnv.SPARK_LOCAL_IP=127.0.0.1",
                "--run", run);
        assertNotEquals(0, failed.exitCode, failed.log);
        String reason = "teacher reads the tokenize stage's output " + run + "/corpus, which is missing or unfinished";
        assertTrue(containerLogsContain(reason), "the ApplicationMaster's log names the reason: " + failed.log);
        ApplicationReport app = applications().get("nasbert teacher run=" + run);
        assertEquals(FinalApplicationStatus.FAILED, app.getFinalApplicationStatus(), app.getDiagnostics());
        assertTrue(!fs.exists(new Path(run + "/teacher")), "nothing written");
    }

    @Test
    void aMissingSparkArchiveIsNamedBeforeAnythingRuns() throws Exception {
        String missing = cluster.fileSystem + "/apps/spark-2.4.6/not-uploaded.zip";
        String run = cluster.fileSystem + "/user/nasbert/runs/no-archive";
        Run failed = submit("tokenize", "--deploy-mode", "cluster", "--conf", "spark.yarn.archive=" + missing, "--run", run,
                "--input", cluster.fileSystem + "/data/none");
        assertNotEquals(0, failed.exitCode, failed.log);
        assertTrue(failed.log.contains("File does not exist: " + missing), failed.log);
        assertTrue(!fs.exists(new Path(run)), "nothing written");
    }

    private static String nasbert(String stage, String... args) throws Exception {
        Run run = submit(stage, args);
        assertEquals(0, run.exitCode, run.log);
        return run.log;
    }

    private static final class Run {
        final int exitCode;
        final String log;

        Run(int exitCode, String log) {
            this.exitCode = exitCode;
            this.log = log;
        }
    }

    /** bin/nasbert STAGE --master yarn with one small executor, Spark from the archive on HDFS, to its end. */
    private static Run submit(String stage, String... args) throws Exception {
        Process p = start(stage, args);
        File log = latestLog(stage);
        assertTrue(p.waitFor(10, TimeUnit.MINUTES), stage + " finished in 10 minutes: " + ClusterProcess.tail(log));
        return new Run(p.exitValue(), new String(Files.readAllBytes(log.toPath()), StandardCharsets.UTF_8));
    }

    private static File latestLog(String stage) {
        File[] logs = cluster.work.listFiles((d, n) -> n.startsWith("submit-" + stage + "-"));
        Arrays.sort(logs);
        return logs[logs.length - 1];
    }

    /** Starts bin/nasbert STAGE --master yarn (one small executor, Spark from the archive on HDFS); its output in a log. */
    private static Process start(String stage, String... args) throws Exception {
        List<String> command = new ArrayList<>(Arrays.asList(new File(System.getProperty("nasbert.project.dir"), "bin/nasbert").getPath(),
                stage, "--master", "yarn", "--num-executors", "1", "--executor-cores", "1", "--executor-memory", "1g",
                "--driver-memory", "1g", "--conf", "spark.yarn.archive=" + archive));
        command.addAll(Arrays.asList(args));
        File log = new File(cluster.work, "submit-" + stage + "-" + System.nanoTime() + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(cluster.work).redirectErrorStream(true).redirectOutput(log);
        Map<String, String> env = new HashMap<>();
        env.put("SPARK_HOME", sparkHome.getAbsolutePath());
        env.put("HADOOP_CONF_DIR", cluster.clientConf().getAbsolutePath());
        env.put("YARN_CONF_DIR", cluster.clientConf().getAbsolutePath());
        builder.environment().putAll(env);
        return builder.start();
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    /** The test kit's SparkInstallation in a JVM of its own (this one has Hadoop 3 on its classpath, the kit is for 2.7). */
    private static File sparkInstallation(File work) throws Exception {
        File[] kit = new File(System.getProperty("nasbert.project.dir"), "test-kit/target").listFiles((d, n) -> n.matches("nasbert-test-kit-.*\\.jar"));
        assertTrue(kit != null && kit.length == 1, "the test kit's jar");
        Process p = new ProcessBuilder(System.getProperty("java.home") + "/bin/java", "-Dnasbert.project.dir=" + System.getProperty("nasbert.project.dir"),
                "-Dnasbert.jdk17.opens=" + System.getProperty("nasbert.jdk17.opens", ""), "-cp", kit[0].getAbsolutePath(), "org.nasbert.testing.SparkInstallation", work.getAbsolutePath()).inheritIO().start();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES) && p.exitValue() == 0, "SparkInstallation made " + work);
        return new File(work, "spark-2.4.6-bin-hadoop2.7");
    }

    private static Configuration clientConf() {
        Configuration conf = new Configuration();
        for (String name : new String[]{"core-site.xml", "hdfs-site.xml", "yarn-site.xml"}) {
            conf.addResource(new Path(new File(cluster.clientConf(), name).getAbsolutePath()));
        }
        return conf;
    }

    private static Map<String, ApplicationReport> applications() throws Exception {
        YarnClient yarn = YarnClient.createYarnClient();
        yarn.init(clientConf());
        yarn.start();
        try {
            Map<String, ApplicationReport> byName = new HashMap<>();
            for (ApplicationReport app : yarn.getApplications()) {
                byName.put(app.getName(), app);
            }
            return byName;
        } finally {
            yarn.stop();
        }
    }

    private static String read(String path) throws Exception {
        try (InputStream in = fs.open(new Path(path))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The containers' launch scripts of one application (Hadoop 3 keeps them beside the containers' logs), joined. */
    private static String launchScripts(ApplicationReport app) throws Exception {
        StringBuilder out = new StringBuilder();
        String id = app.getApplicationId().toString();
        try (Stream<java.nio.file.Path> files = Files.walk(cluster.containerLogs.toPath())) {
            for (java.nio.file.Path f : (Iterable<java.nio.file.Path>) files.filter(f -> f.toString().contains("/" + id + "/")
                    && f.getFileName().toString().equals("launch_container.sh"))::iterator) {
                out.append(new String(Files.readAllBytes(f), StandardCharsets.UTF_8));
            }
        }
        assertTrue(out.length() > 0, "launch scripts of " + app.getApplicationId());
        return out.toString();
    }

    /** Whether a container's stdout or stderr (kept by the NodeManager) holds {@code text}. */
    private static boolean containerLogsContain(String text) throws Exception {
        try (Stream<java.nio.file.Path> files = Files.walk(cluster.containerLogs.toPath())) {
            for (java.nio.file.Path f : (Iterable<java.nio.file.Path>) files.filter(Files::isRegularFile)::iterator) {
                if (new String(Files.readAllBytes(f), StandardCharsets.UTF_8).contains(text)) {
                    return true;
                }
            }
        }
        return false;
    }
}
