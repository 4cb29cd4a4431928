package org.nasbert.latency;

import org.nasbert.NasbertException;
import org.nasbert.conf.Setting;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** Settings of the latency stage. */
public final class LatencySettings {
    public static final Setting<Integer> BATCH = Setting.intInRange("latency.batch",
            "Sequences per forward pass when timing (the deployment's batch)", 1, 4096);
    public static final Setting<Integer> SEQUENCE_LENGTH = Setting.intInRange("latency.sequence-length",
            "Tokens per sequence when timing", 1, 4096);
    public static final Setting<Integer> THREADS = Setting.intInRange("latency.threads",
            "MKL threads when timing (the deployment's threads per request)", 1, 1024);
    public static final Setting<Integer> RUNS = Setting.intInRange("latency.runs",
            "Timed forward passes per part, after as many warm-up passes", 3, 100_000);
    public static final Setting<String> IMPORT = Setting.string("latency.import",
            "A latency table (JSON, as the stage writes it) measured elsewhere, e.g. on the deployment device; empty = measure here");
    public static final Setting<String> ENGINE = Setting.oneOf("latency.engine",
            "What times the parts: onnxruntime (each part exported as ONNX, as the students are served) or bigdl (the Java "
                    + "modules the students train in)", LatencyEngine.ONNXRUNTIME, LatencyEngine.BIGDL);
    /** A device name: what constraints write after latency@. */
    static final String NAME = "[A-Za-z0-9_-]+";
    public static final Setting<String> DEVICE = Setting.matching("latency.device",
            "The name of the run's own table (measured here, latency.import, or the latency.tables entry of this name): "
                    + "constraints without a device (latency=2ms) mean it", "a name of letters, digits, '-' or '_'", NAME);
    private static final String TABLES_SYNTAX = "|" + NAME + "=[^,=]+(," + NAME + "=[^,=]+)*";
    /** Device name -> table file, in the order written. */
    public static final Setting<Map<String, String>> TABLES = Setting.parsed("latency.tables",
            "More devices' tables, ','-separated name=<file> (e.g. edge=edge-table.json from the probe); constraints name "
                    + "them as latency@<name>=<time>", "empty or name=<file>[,name=<file>...]", LatencySettings::deviceTables);

    private LatencySettings() {
    }

    /** name -> file, in the order written; a name given twice is refused. */
    private static Map<String, String> deviceTables(String text) {
        if (!text.matches(TABLES_SYNTAX)) {
            throw new IllegalArgumentException(text);
        }
        Map<String, String> out = new LinkedHashMap<>();
        if (text.trim().isEmpty()) {
            return out;
        }
        for (String entry : text.split(",")) {
            int eq = entry.indexOf('=');
            String name = entry.substring(0, eq).trim();
            if (out.put(name, entry.substring(eq + 1).trim()) != null) {
                throw new NasbertException("latency.tables = '" + text + "': device '" + name + "' is given twice");
            }
        }
        return Collections.unmodifiableMap(out);
    }
}
