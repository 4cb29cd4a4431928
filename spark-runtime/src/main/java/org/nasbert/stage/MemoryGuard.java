package org.nasbert.stage;

import org.apache.spark.SparkConf;
import org.nasbert.NasbertException;

/**
 * Refuses a stage whose estimated memory does not fit, before any Spark work, naming the setting to raise and to what:
 * in local mode the driver's heap ({@code NASBERT_DRIVER_MEMORY}), which also holds the executors' parts; on a cluster
 * {@code spark.driver.memory} and {@code spark.executor.memory}. Spark keeps {@value #RESERVED_MB} MB of each heap, and
 * a tenth of the rest is left for what the estimate does not count (activations, buffers, Spark's own).
 */
public final class MemoryGuard {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(MemoryGuard.class);
    static final long RESERVED_MB = 300;
    static final double HEADROOM = 0.9;

    private MemoryGuard() {
    }

    /** {@code driverHeap}: this JVM's maximum heap, the driver's (the guard runs in the driver, in every deploy mode). */
    public static void check(String stage, MemoryNeed need, SparkConf conf, long driverHeap) {
        if (need == MemoryNeed.NONE) {
            return;
        }
        String master = conf.get("spark.master", "local[*]");
        if (master.equals("local") || master.startsWith("local[")) { // local-cluster[...] has executor JVMs of its own
            long total = MemoryNeed.total(need.driver) + MemoryNeed.total(need.local);
            require(stage, total, driverHeap, "this JVM (local mode: the driver and the executors)",
                    MemoryNeed.describe(need.driver) + (need.local.isEmpty() ? "" : ", " + MemoryNeed.describe(need.local)),
                    "NASBERT_DRIVER_MEMORY (the launcher's -Xmx)");
            return;
        }
        // the guard runs in the driver: its own heap is what the driver has, whichever way it was started
        require(stage, MemoryNeed.total(need.driver), driverHeap, "the driver", MemoryNeed.describe(need.driver),
                "spark.driver.memory (--driver-memory)");
        long executorMemory = conf.getSizeAsBytes("spark.executor.memory", "1g");
        require(stage, MemoryNeed.total(need.executor), executorMemory, "each executor", MemoryNeed.describe(need.executor),
                "spark.executor.memory (--executor-memory)");
    }

    private static void require(String stage, long needed, long heap, String where, String parts, String setting) {
        long usable = (long) ((heap - (RESERVED_MB << 20)) * HEADROOM);
        LOG.info("{}: memory estimate for {}: {} ({}) of {} usable", stage, where, gb(needed), parts, gb(usable));
        if (needed > usable) {
            long raiseTo = (long) Math.ceil(needed / HEADROOM) + (RESERVED_MB << 20);
            throw new NasbertException(String.format("%s needs about %s in %s (%s) but it has %s of heap; raise %s to at least "
                    + "%s, or make the stage smaller", stage, gb(needed), where, parts, gb(heap), setting, gb(raiseTo)));
        }
    }

    static String gb(long bytes) {
        return String.format("%.1f GB", bytes / (double) (1L << 30));
    }
}
