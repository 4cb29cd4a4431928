package org.nasbert.stage;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.hadoop.fs.Path;

/** What a stage run produced: where, whether it was skipped as already finished, and its manifest. */
public final class StageResult {
    public final String stage;
    public final Path output;
    public final boolean skipped;
    public final JsonNode manifest;
    /** The same manifest as its output's class. */
    public final Manifest typed;
    public final double seconds;

    StageResult(String stage, Path output, boolean skipped, JsonNode manifest, Manifest typed, double seconds) {
        this.typed = typed;
        this.stage = stage;
        this.output = output;
        this.skipped = skipped;
        this.manifest = manifest;
        this.seconds = seconds;
    }
}
