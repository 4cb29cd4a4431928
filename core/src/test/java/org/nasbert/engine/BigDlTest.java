package org.nasbert.engine;

import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** BigDL's engine is sized from the Spark master: executors and cores per executor. */
class BigDlTest {
    private static int[] sized(String master) {
        return BigDl.nodesAndCores(new SparkConf(false).set("spark.master", master));
    }

    @Test
    void localModeIsOneNodeWithItsThreadCount() {
        assertArrayEquals(new int[]{1, 3}, sized("local[3]"));
        assertArrayEquals(new int[]{1, 2}, sized("local[2,4]"), "local[threads, maxFailures]");
        assertArrayEquals(new int[]{1, 1}, sized("local"));
        assertArrayEquals(new int[]{1, Runtime.getRuntime().availableProcessors()}, sized("local[*]"));
    }

    @Test
    void localClusterIsItsWorkersAndCoresNotALocalThreadCount() {
        assertArrayEquals(new int[]{2, 1}, sized("local-cluster[2,1,1024]"));
        assertArrayEquals(new int[]{3, 2}, sized("local-cluster[3, 2, 512]"));
    }

    @Test
    void clusterManagersUseTheExecutorSettings() {
        SparkConf conf = new SparkConf(false).set("spark.master", "yarn")
                .set("spark.executor.instances", "8").set("spark.executor.cores", "4");
        assertArrayEquals(new int[]{8, 4}, BigDl.nodesAndCores(conf));
    }
}
