package org.nasbert.stage;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.nasbert.conf.Setting;
import org.nasbert.conf.Settings;
import org.nasbert.io.RunDirectory;

/** What a running stage sees: Spark, the settings, the run directory. */
public final class StageContext {
    private final SparkSession spark;
    private final Settings settings;
    private final RunDirectory run;

    public StageContext(SparkSession spark, Settings settings, RunDirectory run) {
        this.spark = spark;
        this.settings = settings;
        this.run = run;
    }

    public SparkSession spark() {
        return spark;
    }

    public Settings settings() {
        return settings;
    }

    public <T> T get(Setting<T> setting) {
        return settings.get(setting);
    }

    public RunDirectory run() {
        return run;
    }

    public Configuration hadoopConf() {
        return spark.sparkContext().hadoopConfiguration();
    }
}
