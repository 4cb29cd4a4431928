package org.nasbert.latency;

import org.nasbert.engine.CpuInfo;
import org.nasbert.engine.Machine;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a latency table's timings depend on, recorded with them: the machine (host, CPU and its vector flags, cores,
 * JVM, OS), the engine and its version, batch, sequence length, threads, runs and the date. Tables whose engine,
 * batch, length or threads differ describe different deployments and are not interchangeable.
 */
public final class LatencyConditions {
    public static final String ENGINE_VERSION = "engine_version";
    public static final String BATCH = "batch";
    public static final String SEQUENCE_LENGTH = "sequence_length";
    public static final String THREADS = "threads";
    public static final String CPU = "cpu";
    /** The conditions a prediction changes with: a table used for a deployment must match it in these. */
    public static final String[] DEPLOYMENT = {LatencyEngine.ENGINE, BATCH, SEQUENCE_LENGTH, THREADS};

    private LatencyConditions() {
    }

    /** This machine as tables record it (no engine-specific entries). */
    public static Map<String, String> machine() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("host", Machine.host());
        CpuInfo cpu = CpuInfo.local();
        m.put(CPU, cpu.model());
        m.put("cpu_vendor", cpu.vendor());
        m.put("cpu_flags", String.valueOf(cpu.describe().get("vector_flags")));
        m.put("cores", "" + Runtime.getRuntime().availableProcessors());
        m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        return m;
    }

    static Map<String, String> of(Map<String, String> machine, String engine, String version, int batch, int seq, int threads,
                                  int warmup, int runs, int outputWidth) {
        Map<String, String> c = new LinkedHashMap<>(machine);
        c.put(LatencyEngine.ENGINE, engine);
        c.put(ENGINE_VERSION, version);
        c.put(BATCH, "" + batch);
        c.put(SEQUENCE_LENGTH, "" + seq);
        c.put(THREADS, "" + threads);
        c.put("warmup", "" + warmup);
        c.put("runs", "" + runs);
        c.put("date", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        if (outputWidth != 0) {
            c.put(LatencyTable.OUTPUT_WIDTH, "" + outputWidth);
        }
        return c;
    }

    /**
     * The deployment conditions in which {@code table} differs from {@code expected}, as "threads 2, expected 1";
     * empty when they agree. A table without an engine entry was timed by BigDL (tables before engines were named).
     */
    public static List<String> differences(Map<String, String> table, Map<String, String> expected) {
        List<String> out = new ArrayList<>();
        for (String key : DEPLOYMENT) {
            String have = value(table, key);
            String want = value(expected, key);
            if (want != null && !want.equals(have)) {
                out.add(key + " " + (have == null ? "(not recorded)" : have) + ", expected " + want);
            }
        }
        return out;
    }

    private static String value(Map<String, String> conditions, String key) {
        String v = conditions.get(key);
        return v == null && LatencyEngine.ENGINE.equals(key) ? LatencyEngine.BIGDL : v;
    }
}
