package org.nasbert.jobs.latency;

import org.nasbert.io.RunDirectory;
import org.nasbert.stage.Manifest;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code <run>/latency/manifest.json}: where the run's own table came from ("measured" or the imported file), the
 * engine and conditions it was timed under, and every device's table by name (the run's own is {@link #device}).
 */
public final class LatencyManifest extends Manifest {
    /** "measured", or the file the table was imported from. */
    public String source;
    public String units;
    public int parts;
    public String engine;
    /** host, CPU, engine version, batch, sequence_length, threads, runs, ... as the table records them. */
    public Map<String, String> conditions = new LinkedHashMap<>();
    /** The name of the run's own table among {@link #devices}. */
    public String device;
    /** Each device's table: source, engine, its version, CPU, batch, length, threads, host, date. */
    public Map<String, Map<String, String>> devices = new LinkedHashMap<>();

    public static LatencyManifest read(RunDirectory run) throws IOException {
        return run.manifest(LatencyStage.OUTPUT, LatencyManifest.class);
    }

    public boolean measured() {
        return "measured".equals(source);
    }

    /** The run's own device (older runs, which did not record it: "default"). */
    public String ownDevice() {
        return device == null ? "default" : device;
    }

    /** A setting of the latency stage as it ran, or {@code otherwise} for a manifest without it. */
    public String setting(String key, String otherwise) {
        String value = setting(key);
        return value == null ? otherwise : value;
    }

    @Override
    public String headline(String output) {
        String mkl = conditions.containsKey("mkl_code_path") ? ", MKL " + conditions.get("mkl_code_path") : "";
        return String.format("%d parts (%s), batch %s x %s tokens, %s thread(s), %s runs each, on %s (%s%s); table: %s/table.json",
                parts, source, conditions.get("batch"), conditions.get("sequence_length"), conditions.get("threads"),
                conditions.get("runs"), conditions.get("host"), conditions.get("cpu"), mkl, output);
    }
}
