package org.nasbert.spark;

import org.apache.spark.SparkContext;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.nasbert.engine.Machine;
import org.nasbert.io.Json;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The machines a stage's tasks ran on, for its manifest: the driver's, and on a cluster each executor's
 * (host, CPU, the MKL code path that ran there), gathered by a small job over as many tasks as the cluster
 * has cores. Executors that never loaded MKL say so; the probe itself does not load it.
 */
public final class ExecutorMachines {
    private ExecutorMachines() {
    }

    public static Map<String, Object> describe(SparkContext sc) {
        Map<String, Object> machines = new LinkedHashMap<>();
        machines.put("driver", Machine.describe());
        if (!sc.isLocal()) {
            machines.put("executors", executors(sc));
        }
        return machines;
    }

    private static Object executors(SparkContext sc) {
        try {
            int tasks = Math.max(1, sc.defaultParallelism()) * 2;
            List<Integer> slices = new ArrayList<>();
            for (int i = 0; i < tasks; i++) {
                slices.add(i);
            }
            List<String> seen = JavaSparkContext.fromSparkContext(sc).parallelize(slices, tasks)
                    .mapPartitions(new Probe()).collect();
            Map<String, Map<String, Object>> byExecutor = new java.util.TreeMap<>();
            for (String json : seen) {
                @SuppressWarnings("unchecked")
                Map<String, Object> m = Json.MAPPER.readValue(json, LinkedHashMap.class);
                byExecutor.putIfAbsent(String.valueOf(m.get("executor")), m);
            }
            return new ArrayList<>(byExecutor.values());
        } catch (IOException | RuntimeException e) {
            LoggerFactory.getLogger(ExecutorMachines.class).warn("could not describe the executors' machines", e);
            return "unknown: " + e.getMessage();
        }
    }

    /** JSON text back to the driver: no classes of ours to register with Kryo. */
    private static final class Probe implements FlatMapFunction<Iterator<Integer>, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public Iterator<String> call(Iterator<Integer> ignored) throws IOException {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("executor", SparkEnv.get().executorId());
            m.putAll(Machine.describe());
            return Collections.singletonList(Json.MAPPER.writeValueAsString(m)).iterator();
        }
    }
}
