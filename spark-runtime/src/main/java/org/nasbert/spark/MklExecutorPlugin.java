package org.nasbert.spark;

import org.apache.spark.ExecutorPlugin;
import org.nasbert.engine.MklDispatch;

/**
 * Chooses MKL's code path in each executor JVM, on that executor's own CPU (an executor may run on another
 * CPU maker than the driver). Spark 2.4 starts executor plugins when it builds the executor, before any
 * task can load BigDL's MKL; {@link SparkSessions} lists this one in {@code spark.executor.plugins}.
 */
public final class MklExecutorPlugin implements ExecutorPlugin {
    @Override
    public void init() {
        try {
            org.slf4j.LoggerFactory.getLogger(MklExecutorPlugin.class).info("MKL code path: {}", MklDispatch.prepare().reason);
        } catch (RuntimeException e) {
            // a bad NASBERT_MKL_DISPATCH on one node must not kill the executor: MKL then chooses for itself
            org.slf4j.LoggerFactory.getLogger(MklExecutorPlugin.class).warn("MKL's code path left to MKL: {}", e.getMessage());
        }
    }
}
