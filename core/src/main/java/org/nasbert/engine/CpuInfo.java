package org.nasbert.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The CPU this JVM runs on, as the kernel describes its first processor in /proc/cpuinfo: maker,
 * model and the instruction-set flags (the kernel lists only what the OS has enabled), which decide
 * what code paths the CPU can run. Recorded beside every measurement so that numbers from different
 * machines are never compared blind.
 */
public final class CpuInfo {
    /** The flags that decide which vector code paths (MKL's, the JIT's) this CPU can run. */
    static final List<String> VECTOR_FLAGS = Collections.unmodifiableList(Arrays.asList(
            "sse4_2", "avx", "fma", "avx2", "bmi2", "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl",
            "avx512_vnni", "avx512_bf16", "amx_tile"));
    public static final String INTEL = "GenuineIntel";

    private static CpuInfo local;

    private final String vendor;
    private final String model;
    private final Set<String> flags;

    CpuInfo(String vendor, String model, Set<String> flags) {
        this.vendor = vendor;
        this.model = model;
        this.flags = Collections.unmodifiableSet(flags);
    }

    /** This machine's CPU; on a system without /proc/cpuinfo, vendor and model "unknown" and no flags. */
    public static synchronized CpuInfo local() {
        if (local == null) {
            try {
                local = parse(Files.readAllLines(Paths.get("/proc/cpuinfo"), StandardCharsets.UTF_8));
            } catch (IOException | RuntimeException e) {
                local = new CpuInfo("unknown", "unknown", new LinkedHashSet<>());
            }
        }
        return local;
    }

    /** The first processor block of /proc/cpuinfo's text (every core of a machine reports the same). */
    static CpuInfo parse(List<String> lines) {
        String vendor = "unknown";
        String model = "unknown";
        Set<String> flags = new LinkedHashSet<>();
        for (String line : lines) {
            if (line.trim().isEmpty() && !flags.isEmpty()) {
                break;
            }
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            if (key.equals("vendor_id")) {
                vendor = value;
            } else if (key.equals("model name")) {
                model = value;
            } else if (key.equals("flags")) {
                flags.addAll(Arrays.asList(value.split("\\s+")));
            }
        }
        return new CpuInfo(vendor, model, flags);
    }

    public String vendor() {
        return vendor;
    }

    public String model() {
        return model;
    }

    public boolean isIntel() {
        return INTEL.equals(vendor);
    }

    public boolean hasAll(String... wanted) {
        return flags.containsAll(Arrays.asList(wanted));
    }

    /** Vendor, model, logical cores and which of {@link #VECTOR_FLAGS} the CPU has. */
    public Map<String, Object> describe() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("vendor", vendor);
        d.put("model", model);
        d.put("cores", Runtime.getRuntime().availableProcessors());
        List<String> present = new java.util.ArrayList<>();
        for (String flag : VECTOR_FLAGS) {
            if (flags.contains(flag)) {
                present.add(flag);
            }
        }
        d.put("vector_flags", String.join(" ", present));
        return d;
    }

    @Override
    public String toString() {
        return vendor + " " + model;
    }
}
