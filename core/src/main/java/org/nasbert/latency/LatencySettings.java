package org.nasbert.latency;

import org.nasbert.conf.Setting;

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

    private LatencySettings() {
    }
}
