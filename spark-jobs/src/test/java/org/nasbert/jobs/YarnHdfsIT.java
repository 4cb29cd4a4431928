package org.nasbert.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.server.MiniYARNCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nasbert.io.Json;
import org.nasbert.testing.MklPaths;
import org.nasbert.testing.SparkInstallation;
import org.nasbert.testing.TestData;

import java.io.File;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * YARN and HDFS for real: MiniDFSCluster and MiniYARNCluster (hadoop-minicluster) in this JVM, and the stages submitted
 * through Spark's own SparkSubmit with {@code --master yarn}, the shaded application jar and an {@code hdfs://} run
 * directory, as the README's "Running on a cluster" does: tokenize in client deploy mode, teacher through bin/nasbert
 * in cluster deploy mode (the driver in the ApplicationMaster's container); the outputs are read back from HDFS.
 */
class YarnHdfsIT {
    private static MiniDFSCluster hdfs;
    private static MiniYARNCluster yarn;
    private static File work;
    private static File confDir;
    private static SparkInstallation spark;

    @BeforeAll
    static void start() throws Exception {
        work = Files.createTempDirectory(new File(System.getProperty("java.io.tmpdir")).toPath(), "yarn-it").toFile();
        Configuration conf = new YarnConfiguration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, new File(work, "dfs").getAbsolutePath());
        hdfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        hdfs.waitActive();
        conf.set("fs.defaultFS", hdfs.getFileSystem().getUri().toString());
        conf.setInt(YarnConfiguration.NM_PMEM_MB, 6144);
        conf.setInt(YarnConfiguration.RM_SCHEDULER_MINIMUM_ALLOCATION_MB, 256);
        conf.setBoolean(YarnConfiguration.NM_PMEM_CHECK_ENABLED, false);
        conf.setBoolean(YarnConfiguration.NM_VMEM_CHECK_ENABLED, false);
        conf.setFloat(YarnConfiguration.NM_MAX_PER_DISK_UTILIZATION_PERCENTAGE, 99.9f);
        yarn = new MiniYARNCluster("nasbert", 1, 1, 1);
        yarn.init(conf);
        yarn.start();
        // the cluster's client configuration, as HADOOP_CONF_DIR holds it on a gateway machine
        confDir = new File(work, "conf");
        confDir.mkdirs();
        Configuration client = new Configuration(yarn.getConfig());
        client.set("fs.defaultFS", hdfs.getFileSystem().getUri().toString());
        // the minicluster maps racks with a class from Hadoop's test jar, which no container has
        client.set("net.topology.node.switch.mapping.impl", "org.apache.hadoop.net.ScriptBasedMapping");
        try (OutputStream out = new FileOutputStream(new File(confDir, "core-site.xml"))) {
            client.writeXml(out);
        }
        try (OutputStream out = new FileOutputStream(new File(confDir, "yarn-site.xml"))) {
            client.writeXml(out);
        }
    }

    @AfterAll
    static void stop() {
        if (yarn != null) {
            yarn.stop();
        }
        if (hdfs != null) {
            hdfs.shutdown();
        }
    }

    @Test
    void tokenizeAndTeacherRunOnYarnAndWriteToHdfs() throws Exception {
        FileSystem fs = hdfs.getFileSystem();
        Path corpus = new Path("/data/corpus");
        File chapters = TestData.mobyDick();
        int files = 0;
        for (String name : new String[]{"chapter-001.txt", "chapter-002.txt", "chapter-003.txt", "chapter-004.txt"}) {
            fs.copyFromLocalFile(new Path(new File(chapters, name).getAbsolutePath()), new Path(corpus, name));
            files++;
        }
        String run = hdfs.getFileSystem().getUri() + "/user/nasbert/runs/r1";

        String tokenize = submit("tokenize", "--run", run, "--input", fs.getUri() + corpus.toString());
        JsonNode corpusManifest = manifest(fs, run, "corpus");
        assertEquals(files, corpusManifest.path("counts").path("files").asInt(), tokenize);
        assertTrue(corpusManifest.path("counts").path("sequences").asLong() > 50, corpusManifest.toString());
        assertTrue(fs.exists(new Path(run + "/corpus/_SUCCESS")));

        // the teacher as the README and the Airflow DAG run stages: bin/nasbert, deploy mode cluster (the driver in the
        // ApplicationMaster's container, the settings and log4j2 file shipped with --files)
        String teacher = submitThroughLauncher("teacher", "--master", "yarn", "--deploy-mode", "cluster", "--num-executors", "1",
                "--executor-cores", "1", "--executor-memory", "1g", "--driver-memory", "1g",
                "--conf", "spark.yarn.jars=local:" + spark().jars().getAbsolutePath() + "/*",
                "--conf", "spark.yarn.appMasterEnv.JAVA_HOME=" + System.getProperty("java.home"),
                "--conf", "spark.executorEnv.JAVA_HOME=" + System.getProperty("java.home"),
                "--conf", "spark.yarn.appMasterEnv.SPARK_LOCAL_IP=127.0.0.1",
                "--run", run, "--sequences", "40", "--held-out", "0.2", "--set", "teacher.states=materialize");
        assertTrue(containerStdoutContains("nasbert teacher: done"), "the driver ran in a YARN container (cluster mode)");
        JsonNode teacherManifest = manifest(fs, run, "teacher");
        assertTrue(teacherManifest.path("counts").path("sequences").asLong() > 10, teacher);
        // the YARN executor chose MKL's code path on its own CPU (the executor plugin) and the manifest says which ran
        assertTrue(teacherManifest.path("machines").path("executors").size() >= 1, teacherManifest.path("machines").toString());
        for (JsonNode machine : teacherManifest.path("machines").path("executors")) {
            MklPaths.assertRanFast(machine, "teacher's YARN executor " + machine.path("executor").asText());
        }
        assertTrue(fs.listStatus(new Path(run + "/teacher/data")).length > 0, "Parquet states on HDFS");
        // the ResourceManager ran them: one finished YARN application per stage, named by the launcher (the states
        // settle shortly after each driver has unregistered)
        List<String> finished = new ArrayList<>();
        for (int attempt = 0; attempt < 60 && finished.size() < 2; attempt++) {
            finished.clear();
            for (org.apache.hadoop.yarn.server.resourcemanager.rmapp.RMApp app
                    : yarn.getResourceManager().getRMContext().getRMApps().values()) {
                if (app.getState() == org.apache.hadoop.yarn.server.resourcemanager.rmapp.RMAppState.FINISHED) {
                    finished.add(app.getName());
                }
            }
            Thread.sleep(500);
        }
        assertTrue(finished.contains("nasbert tokenize run=" + run) && finished.contains("nasbert teacher run=" + run),
                "YARN applications finished: " + finished);
    }

    /** Whether a container's stdout (the NodeManager keeps container logs under the minicluster's work directory) holds {@code text}. */
    private static boolean containerStdoutContains(String text) throws Exception {
        try (java.util.stream.Stream<java.nio.file.Path> files = Files.walk(yarn.getTestWorkDir().toPath())) {
            for (java.nio.file.Path f : (Iterable<java.nio.file.Path>) files.filter(f -> f.getFileName().toString()
                    .equals("stdout"))::iterator) {
                if (new String(Files.readAllBytes(f), StandardCharsets.UTF_8).contains(text)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static JsonNode manifest(FileSystem fs, String run, String output) throws Exception {
        try (InputStream in = fs.open(new Path(run + "/" + output + "/manifest.json"))) {
            return Json.MAPPER.readTree(in);
        }
    }

    /**
     * A Spark 2.4 installation (Spark's, Hadoop 2.7's and Scala's jars, none of the application's): the containers find
     * it where a cluster has it installed (local: paths on every node), and the gateway's spark-submit runs on it.
     */
    private static SparkInstallation spark() throws Exception {
        if (spark == null) {
            spark = SparkInstallation.create(new File(work, "spark-installation"));
        }
        return spark;
    }

    /**
     * bin/nasbert with SPARK_HOME set, as on a gateway machine: the Spark installation's bin/spark-submit starts Spark's
     * own SparkSubmit on its jars and HADOOP_CONF_DIR.
     */
    private static String submitThroughLauncher(String... args) throws Exception {
        File sparkHome = spark().home;
        Map<String, String> env = new HashMap<>();
        env.put("SPARK_HOME", sparkHome.getAbsolutePath());
        env.put("HADOOP_CONF_DIR", confDir.getAbsolutePath());
        env.put("YARN_CONF_DIR", confDir.getAbsolutePath());
        NasbertProcess p = NasbertProcess.start(work.toPath(), env, args);
        return p.finish(10);
    }

    /** spark-submit --master yarn, as a separate JVM on this "gateway" machine: Spark's SparkSubmit, the shaded jar. */
    private static String submit(String... appArgs) throws Exception {
        File target = new File(TestData.projectDir(), "spark-jobs/target");
        File[] apps = target.listFiles((d, n) -> n.startsWith("nasbert-spark-jobs-") && n.endsWith("-app.jar"));
        assertTrue(apps != null && apps.length == 1, "the shaded jar in " + target);
        File sparkJars = spark().jars();
        String opens = System.getProperty("nasbert.jdk17.opens", "");
        String javaHome = System.getProperty("java.home");
        List<String> command = new ArrayList<>(Arrays.asList(javaHome + "/bin/java", "-Xmx1g"));
        command.addAll(Arrays.asList(opens.trim().split("\\s+")));
        command.addAll(Arrays.asList("-cp", confDir.getAbsolutePath() + File.pathSeparator + sparkJars.getAbsolutePath() + "/*",
                "org.apache.spark.deploy.SparkSubmit", "--master", "yarn", "--deploy-mode", "client",
                "--class", NasbertMain.class.getName(), "--num-executors", "1", "--executor-cores", "1",
                "--executor-memory", "1g", "--driver-memory", "1g",
                "--conf", "spark.yarn.jars=local:" + sparkJars.getAbsolutePath() + "/*",
                "--conf", "spark.yarn.am.memory=512m",
                "--conf", "spark.yarn.am.extraJavaOptions=" + opens,
                "--conf", "spark.executor.extraJavaOptions=" + opens,
                "--conf", "spark.yarn.appMasterEnv.JAVA_HOME=" + javaHome,
                "--conf", "spark.executorEnv.JAVA_HOME=" + javaHome,
                "--conf", "spark.driver.host=127.0.0.1",
                // executors build the MKL plugin before they fetch the job's jar: it travels with --files, on their classpath
                "--files", apps[0].getAbsolutePath(), "--conf", "spark.executor.extraClassPath=" + apps[0].getName(),
                apps[0].getAbsolutePath()));
        command.addAll(Arrays.asList(appArgs));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("HADOOP_CONF_DIR", confDir.getAbsolutePath());
        builder.environment().put("YARN_CONF_DIR", confDir.getAbsolutePath());
        builder.environment().remove("SPARK_HOME");
        File log = new File(work, "submit-" + appArgs[0] + ".log");
        Process p = builder.redirectOutput(log).start();
        assertTrue(p.waitFor(10, TimeUnit.MINUTES), appArgs[0] + " finished in time");
        String output = new String(Files.readAllBytes(log.toPath()), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), output);
        return output;
    }
}
