package org.nasbert.hadoop3;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@link Hadoop3Cluster} in a child JVM with Hadoop 3's classpath. Its environment is a Hadoop 3 node's, as on EMR:
 * JAVA_HOME (the containers' JDK) and the HADOOP_*_HOME variables that YARN passes on to containers, pointing at a
 * Hadoop 3 layout ({@code share/hadoop/...}), so that containers see Hadoop 3 jars where a node would have them.
 */
final class ClusterProcess implements AutoCloseable {
    final File work;
    final String fileSystem;
    /** The NodeManager's container log directory (application_.../container_.../stdout, stderr). */
    final File containerLogs;
    private final Process process;

    private ClusterProcess(File work, Process process, String fileSystem, File containerLogs) {
        this.work = work;
        this.process = process;
        this.fileSystem = fileSystem;
        this.containerLogs = containerLogs;
    }

    static ClusterProcess start(File work) throws Exception {
        File module = new File(System.getProperty("nasbert.project.dir"), "hadoop3-it");
        String classpath = new File(module, "target/classes").getAbsolutePath() + File.pathSeparator
                + new String(Files.readAllBytes(new File(module, "target/classpath.txt").toPath()), StandardCharsets.UTF_8).trim();
        File log4j = new File(work, "cluster-log4j2.properties");
        Files.write(log4j.toPath(), ("status = error\nappender.f.type = File\nappender.f.name = f\nappender.f.fileName = "
                + new File(work, "cluster.log").getAbsolutePath() + "\nappender.f.layout.type = PatternLayout\n"
                + "appender.f.layout.pattern = %d{HH:mm:ss} %-5p %c{1}: %m%n\nrootLogger.level = info\n"
                + "rootLogger.appenderRef.f.ref = f\n").getBytes(StandardCharsets.UTF_8));
        List<String> command = new ArrayList<>(Arrays.asList(System.getProperty("java.home") + "/bin/java", "-Xmx1536m"));
        command.addAll(Arrays.asList(System.getProperty("nasbert.jdk17.opens", "").trim().split("\\s+")));
        command.addAll(Arrays.asList("-Dlog4j2.configurationFile=" + log4j.getAbsolutePath(), "-cp", classpath,
                Hadoop3Cluster.class.getName(), work.getAbsolutePath()));
        ProcessBuilder builder = new ProcessBuilder(command).directory(work).redirectErrorStream(true)
                .redirectOutput(new File(work, "cluster.out"));
        Map<String, String> env = builder.environment();
        env.put("JAVA_HOME", System.getProperty("java.home"));
        String hadoopHome = hadoop3Layout(work, classpath).getAbsolutePath();
        for (String home : new String[]{"HADOOP_HOME", "HADOOP_COMMON_HOME", "HADOOP_HDFS_HOME", "HADOOP_YARN_HOME", "HADOOP_MAPRED_HOME"}) {
            env.put(home, hadoopHome);
        }
        Process process = builder.start(); // its stdin stays open: the cluster runs until close()
        File ready = new File(work, "ready");
        for (int i = 0; i < 360 && !ready.isFile(); i++) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the Hadoop 3 cluster exited: " + tail(new File(work, "cluster.out")));
            }
            Thread.sleep(500);
        }
        if (!ready.isFile()) {
            process.destroyForcibly();
            throw new IllegalStateException("the Hadoop 3 cluster was not up in 3 minutes: " + tail(new File(work, "cluster.out")));
        }
        List<String> lines = Files.readAllLines(ready.toPath(), StandardCharsets.UTF_8);
        return new ClusterProcess(work, process, lines.get(0), new File(lines.get(1)));
    }

    /** HADOOP_HOME/share/hadoop/{common,hdfs,yarn,mapreduce} holding Hadoop 3's jars, as a node's installation does. */
    private static File hadoop3Layout(File work, String classpath) throws IOException {
        File home = new File(work, "hadoop-3-home");
        for (String dir : new String[]{"common", "common/lib", "hdfs", "yarn", "mapreduce"}) {
            File d = new File(home, "share/hadoop/" + dir);
            if (!d.isDirectory() && !d.mkdirs()) {
                throw new IOException("cannot create " + d);
            }
        }
        for (String jar : classpath.split(File.pathSeparator)) {
            File j = new File(jar);
            if (j.isFile() && j.getName().startsWith("hadoop-client-")) {
                Files.createSymbolicLink(new File(home, "share/hadoop/common/" + j.getName()).toPath(), j.toPath());
            }
        }
        return home;
    }

    File clientConf() {
        return new File(work, "conf");
    }

    static String tail(File file) {
        try {
            String text = new String(Files.readAllBytes(file.toPath()), StandardCharsets.UTF_8);
            return text.substring(Math.max(0, text.length() - 4000));
        } catch (IOException e) {
            return "(" + file + " unreadable: " + e + ")";
        }
    }

    @Override
    public void close() throws Exception {
        process.getOutputStream().close(); // end of its stdin: it stops YARN and HDFS and exits
        if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
