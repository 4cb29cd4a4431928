package org.nasbert.stage;

import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;
import org.nasbert.NasbertException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A stage that would not fit is refused before Spark works, naming the setting to raise and to what. */
class MemoryGuardTest {
    private static final long GB = 1L << 30;
    private static final MemoryNeed SUPERNET = new MemoryNeed()
            .driver("weights and moments", 3 * GB)
            .executor("2 replicas", 4 * GB)
            .local("4 replicas", 8 * GB);

    @Test
    void onAClusterEachJvmIsCheckedAgainstItsOwnSetting() {
        SparkConf conf = new SparkConf(false).set("spark.master", "yarn").set("spark.executor.memory", "4g");
        NasbertException e = assertThrows(NasbertException.class, () -> MemoryGuard.check("train-blocks", SUPERNET, conf, 4 * GB));
        // 4 GB needed: 4 / 0.9 + 0.3 = 4.7 GB of heap
        assertEquals("train-blocks needs about 4.0 GB in each executor (2 replicas 4.0 GB) but it has 4.0 GB of heap; raise "
                + "spark.executor.memory (--executor-memory) to at least 4.7 GB, or make the stage smaller", e.getMessage());
        MemoryGuard.check("train-blocks", SUPERNET, conf.set("spark.executor.memory", "5g"), 4 * GB);
        // the driver is the JVM the guard runs in: its own heap, whatever spark.driver.memory says
        NasbertException driver = assertThrows(NasbertException.class, () ->
                MemoryGuard.check("train-blocks", SUPERNET, conf.set("spark.driver.memory", "8g"), 3 * GB));
        assertEquals("train-blocks needs about 3.0 GB in the driver (weights and moments 3.0 GB) but it has 3.0 GB of heap; raise "
                + "spark.driver.memory (--driver-memory) to at least 3.6 GB, or make the stage smaller", driver.getMessage());
    }

    @Test
    void localClusterModeHasExecutorJvmsOfItsOwn() {
        SparkConf conf = new SparkConf(false).set("spark.master", "local-cluster[2,1,4096]").set("spark.executor.memory", "4g");
        NasbertException e = assertThrows(NasbertException.class, () -> MemoryGuard.check("train-blocks", SUPERNET, conf, 4 * GB));
        assertEquals("train-blocks needs about 4.0 GB in each executor (2 replicas 4.0 GB) but it has 4.0 GB of heap; raise "
                + "spark.executor.memory (--executor-memory) to at least 4.7 GB, or make the stage smaller", e.getMessage());
        MemoryGuard.check("train-blocks", SUPERNET, conf.set("spark.executor.memory", "5g"), 4 * GB);
    }

    @Test
    void inLocalModeTheDriversHeapHoldsTheExecutorsPartsToo() {
        SparkConf conf = new SparkConf(false).set("spark.master", "local[4]");
        NasbertException e = assertThrows(NasbertException.class, () -> MemoryGuard.check("train-blocks", SUPERNET, conf, 8 * GB));
        assertEquals("train-blocks needs about 11.0 GB in this JVM (local mode: the driver and the executors) (weights and "
                + "moments 3.0 GB, 4 replicas 8.0 GB) but it has 8.0 GB of heap; raise NASBERT_DRIVER_MEMORY (the launcher's -Xmx) "
                + "to at least 12.5 GB, or make the stage smaller", e.getMessage());
        MemoryGuard.check("train-blocks", SUPERNET, conf, 13 * GB);
        MemoryGuard.check("tokenize", MemoryNeed.NONE, conf, 1);
    }

    @Test
    void phasesOneAfterTheOtherNeedTheLargerOfTheTwoInEachJvm() {
        MemoryNeed scoring = new MemoryNeed().driver("supernet", 4 * GB).executor("copies", 2 * GB).local("copies", 2 * GB);
        MemoryNeed distilling = new MemoryNeed().driver("sequences", GB).executor("students", 3 * GB).local("students", 3 * GB);
        MemoryNeed both = MemoryNeed.larger(scoring, distilling);
        assertEquals(4 * GB, MemoryNeed.total(both.driver));
        assertEquals(3 * GB, MemoryNeed.total(both.executor));
        assertEquals(3 * GB, MemoryNeed.total(both.local));
    }
}
