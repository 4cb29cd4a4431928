package org.nasbert.spark;

import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;
import org.nasbert.testing.LocalSpark;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Every session lists the executor plugin that chooses MKL's code path on each executor's CPU, beside the user's own. */
class SparkSessionsTest {
    private static final String PLUGIN = "org.nasbert.spark.MklExecutorPlugin";

    @Test
    void executorsStartTheMklPluginWhateverElseIsListed() {
        SparkConf none = new SparkConf(false);
        SparkSessions.addExecutorPlugin(none, PLUGIN);
        assertEquals(PLUGIN, none.get("spark.executor.plugins"));

        SparkConf theirs = new SparkConf(false).set("spark.executor.plugins", "com.example.Profiler");
        SparkSessions.addExecutorPlugin(theirs, PLUGIN);
        assertEquals("com.example.Profiler," + PLUGIN, theirs.get("spark.executor.plugins"));

        SparkSessions.addExecutorPlugin(theirs, PLUGIN);
        assertEquals("com.example.Profiler," + PLUGIN, theirs.get("spark.executor.plugins"), "listed once");
    }

    @Test
    void aRunningSessionHasIt() {
        assertEquals(PLUGIN, LocalSpark.session().sparkContext().getConf().get("spark.executor.plugins"));
    }
}
