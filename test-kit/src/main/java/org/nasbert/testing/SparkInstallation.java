package org.nasbert.testing;

import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * What a user of a Hadoop 3 cluster unpacks on the gateway machine: Spark 2.4.6 built for Hadoop 2.7
 * (SPARK_HOME/jars, SPARK_HOME/bin/spark-submit), made here from the build's own Spark, Hadoop 2.7 and Scala jars,
 * without any of the application's (BigDL, ONNX Runtime, the models, nasbert's modules: they travel in the
 * application jar). Its jars zipped are what {@code spark.yarn.archive} names on HDFS.
 *
 * <p>Also a command, for tests whose classpath is another Hadoop's (hadoop3-it):
 * {@code java -cp nasbert-test-kit.jar org.nasbert.testing.SparkInstallation DIR} makes DIR/spark-2.4.6-bin-hadoop2.7
 * and DIR/spark-jars.zip.
 */
public final class SparkInstallation {
    /** Path fragments of the application's own dependencies, which a Spark distribution does not hold. */
    private static final List<String> APPLICATION_ONLY = Arrays.asList("/com/intel/analytics/", "/com/microsoft/onnxruntime/",
            "/dev/langchain4j/", "/com/robrua/", "/ai/djl/", "/org/knowm/", "/net/java/dev/jna/", "/org/tensorflow/", "/nasbert-");

    public final File home;

    private SparkInstallation(File home) {
        this.home = home;
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: SparkInstallation DIR");
        }
        File dir = new File(args[0]);
        create(dir).archive(new File(dir, "spark-jars.zip"));
    }

    public static SparkInstallation create(File work) throws IOException {
        File projectDir = TestData.projectDir();
        String classpath = new String(Files.readAllBytes(new File(projectDir, "spark-jobs/target/classpath.txt").toPath()),
                StandardCharsets.UTF_8).trim();
        File home = new File(work, "spark-2.4.6-bin-hadoop2.7");
        File jars = new File(home, "jars");
        if (!jars.mkdirs()) {
            throw new IOException("cannot create " + jars);
        }
        for (String jar : classpath.split(File.pathSeparator)) {
            File j = new File(jar);
            if (j.isFile() && APPLICATION_ONLY.stream().noneMatch(jar::contains)) {
                Files.createSymbolicLink(new File(jars, j.getName()).toPath(), j.toPath());
            }
        }
        File submit = new File(home, "bin/spark-submit");
        if (!submit.getParentFile().mkdirs()) {
            throw new IOException("cannot create " + submit.getParentFile());
        }
        // Spark's own script does the same: SparkSubmit on SPARK_HOME/jars and HADOOP_CONF_DIR
        Files.write(submit.toPath(), ("#!/usr/bin/env bash\nexec '" + System.getProperty("java.home") + "/bin/java' -Xmx1g "
                + System.getProperty("nasbert.jdk17.opens", "") + " -cp \"$HADOOP_CONF_DIR:$SPARK_HOME/jars/*\" "
                + "org.apache.spark.deploy.SparkSubmit \"$@\"\n").getBytes(StandardCharsets.UTF_8));
        if (!submit.setExecutable(true)) {
            throw new IOException("cannot make " + submit + " executable");
        }
        return new SparkInstallation(home);
    }

    /** SPARK_HOME/jars: Spark's, Hadoop 2.7's and Scala's jars, none of the application's. */
    public File jars() {
        return new File(home, "jars");
    }

    /** SPARK_HOME/jars as one zip with the jars at its root, the layout spark.yarn.archive expects. */
    public File archive(File target) throws IOException {
        try (ZipOutputStream zip = new ZipOutputStream(new FileOutputStream(target))) {
            zip.setLevel(0); // jars are compressed already
            File[] jars = new File(home, "jars").listFiles();
            Arrays.sort(jars);
            for (File jar : jars) {
                zip.putNextEntry(new ZipEntry(jar.getName()));
                Files.copy(jar.toPath(), zip);
                zip.closeEntry();
            }
        }
        return target;
    }
}
