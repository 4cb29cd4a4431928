package org.nasbert.conf;

/** The settings of a run as a whole; defaults in conf/nasbert.properties. */
public final class RunSettings {
    public static final Setting<String> DIR = Setting.nonEmpty("run.dir",
            "Run directory (local or hdfs://); each stage writes <run.dir>/<output>/");

    private RunSettings() {
    }
}
