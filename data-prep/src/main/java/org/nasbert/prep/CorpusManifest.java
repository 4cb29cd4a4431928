package org.nasbert.prep;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.nasbert.io.RunDirectory;
import org.nasbert.stage.Manifest;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code <run>/corpus/manifest.json}: what tokenize read, the vocabulary it used, what it wrote and skipped. */
public final class CorpusManifest extends Manifest {
    public Input input;
    public Vocabulary vocabulary;
    @JsonProperty("max_seq_len")
    public int maxSeqLen;
    /** "per input split", or the number of shuffled partitions. */
    public String partitions;
    /** files, documents, sequences, tokens, ... (see CorpusCount). */
    public Map<String, Long> counts = new LinkedHashMap<>();
    /** Skipped records by reason. */
    public Map<String, Long> skipped = new LinkedHashMap<>();
    /** Column -> meaning. */
    public Map<String, String> schema;

    /** The corpus's input: its paths as given, how many files and bytes, and a fingerprint of their names, sizes and times. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static final class Input {
        public String paths;
        public long files;
        public long bytes;
        public String fingerprint;
    }

    /** The vocabulary the ids are in: its copy in the output, where it came from, its digest and special ids. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static final class Vocabulary {
        public String file;
        public String source;
        public String sha256;
        public int size;
        public boolean lowercase;
        @JsonProperty("strip_accents")
        public boolean stripAccents;
        @JsonProperty("pad_id")
        public Integer padId;
        @JsonProperty("cls_id")
        public Integer clsId;
        @JsonProperty("sep_id")
        public Integer sepId;
        @JsonProperty("mask_id")
        public Integer maskId;
    }

    public static CorpusManifest read(RunDirectory run) throws IOException {
        return run.manifest(TokenizeStage.OUTPUT, CorpusManifest.class);
    }

    public long count(String name) {
        return counts.getOrDefault(name, 0L);
    }

    @Override
    public String headline(String output) {
        long skippedTotal = 0;
        for (long n : skipped.values()) {
            skippedTotal += n;
        }
        return String.format("%,d sequences of <= %d tokens, %,d tokens from %,d documents in %,d files (%,d skipped records); "
                        + "Parquet: %s/data, manifest: %s/manifest.json", count("sequences"), maxSeqLen, count("tokens"),
                count("documents"), count("files"), skippedTotal, output, output);
    }
}
