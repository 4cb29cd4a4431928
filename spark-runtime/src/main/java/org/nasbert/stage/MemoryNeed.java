package org.nasbert.stage;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A stage's estimate of what its JVMs must hold, by part: in the driver, in each executor, and (local mode) how many
 * of the executors' parts the driver's JVM holds at once. Parts are named for the message ("master weights and Adam's
 * moments", "2 supernet replicas").
 */
public final class MemoryNeed {
    public static final MemoryNeed NONE = new MemoryNeed();
    final Map<String, Long> driver = new LinkedHashMap<>();
    final Map<String, Long> executor = new LinkedHashMap<>();
    /** In local mode the executors' parts live in the driver's JVM: these instead of {@link #executor}. */
    final Map<String, Long> local = new LinkedHashMap<>();

    public MemoryNeed driver(String part, long bytes) {
        driver.put(part, bytes);
        return this;
    }

    public MemoryNeed executor(String part, long bytes) {
        executor.put(part, bytes);
        return this;
    }

    public MemoryNeed local(String part, long bytes) {
        local.put(part, bytes);
        return this;
    }

    /** For a stage whose phases run one after the other: per JVM (driver, executor, local) the parts of the larger phase. */
    public static MemoryNeed larger(MemoryNeed a, MemoryNeed b) {
        MemoryNeed out = new MemoryNeed();
        out.driver.putAll(total(a.driver) >= total(b.driver) ? a.driver : b.driver);
        out.executor.putAll(total(a.executor) >= total(b.executor) ? a.executor : b.executor);
        out.local.putAll(total(a.local) >= total(b.local) ? a.local : b.local);
        return out;
    }

    static long total(Map<String, Long> parts) {
        long n = 0;
        for (long b : parts.values()) {
            n += b;
        }
        return n;
    }

    static String describe(Map<String, Long> parts) {
        StringBuilder s = new StringBuilder();
        for (Map.Entry<String, Long> e : parts.entrySet()) {
            s.append(s.length() == 0 ? "" : ", ").append(e.getKey()).append(' ').append(MemoryGuard.gb(e.getValue()));
        }
        return s.toString();
    }
}
