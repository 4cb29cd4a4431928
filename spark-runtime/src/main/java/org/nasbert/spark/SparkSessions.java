package org.nasbert.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.sql.SparkSession;
import org.nasbert.engine.BigDl;

/**
 * Starts the Spark session of a stage. Settings given to spark-submit win; we only fill in what is
 * missing (after BigDL's own Spark settings): local mode when no master was given, Kryo with the project's registrator, no speculation
 * (stages write checkpoints from tasks, which speculation would duplicate), and the executor plugin that chooses
 * MKL's code path on each executor's CPU.
 */
public final class SparkSessions {
    private SparkSessions() {
    }

    public static SparkConf conf(String appName, String defaultMaster) {
        SparkConf conf = BigDl.sparkConf(new SparkConf());
        conf.setIfMissing("spark.master", defaultMaster);
        String name = conf.get("spark.app.name", null);
        if (name == null || name.startsWith("org.nasbert.")) {
            // spark-submit names an application after its main class unless given --name: ours says stage and run
            conf.set("spark.app.name", appName);
        }
        conf.setIfMissing("spark.serializer", KryoSerializer.class.getName());
        conf.setIfMissing("spark.kryo.registrator", NasbertKryoRegistrator.class.getName());
        // A training step's gradients come back as one task result: at BERT-base's width on the paper's space a path's
        // reach 200 MB, over Kryo's default 64 MB ceiling (a ceiling: buffers still start small and grow)
        conf.setIfMissing("spark.kryoserializer.buffer.max", "1g");
        conf.setIfMissing("spark.speculation", "false");
        conf.setIfMissing("spark.sql.parquet.compression.codec", "snappy");
        conf.setIfMissing("spark.ui.showConsoleProgress", "false");
        addExecutorPlugin(conf, MklExecutorPlugin.class.getName());
        return conf;
    }

    /** Executors start their plugins from the conf they fetch from the driver: spark-submit, bin/nasbert or Airflow alike. */
    static void addExecutorPlugin(SparkConf conf, String plugin) {
        String listed = conf.get("spark.executor.plugins", "").trim();
        if (!java.util.Arrays.asList(listed.split("\\s*,\\s*")).contains(plugin)) {
            conf.set("spark.executor.plugins", listed.isEmpty() ? plugin : listed + "," + plugin);
        }
    }

    public static SparkSession start(SparkConf conf) {
        ModernJdkSupport.install();
        return SparkSession.builder().config(conf).getOrCreate();
    }
}
