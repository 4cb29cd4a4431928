package org.nasbert.prep;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.nasbert.io.RunDirectory;
import org.nasbert.stage.Manifest;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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
        /** Files named in the manifest's hidden list at most. */
        static final int HIDDEN_LISTED = 20;
        public String paths;
        public long files;
        public long bytes;
        public String fingerprint;
        /** Files and directories that Hadoop's hidden-file rule left out (names starting _ or . in a directory or glob). */
        @JsonProperty("hidden_left_out")
        public long hiddenLeftOut;
        /** The first {@value #HIDDEN_LISTED} of them; a directory ends in /. */
        public List<String> hidden = new ArrayList<>();
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
        String hidden = input == null || input.hiddenLeftOut == 0 ? "" : String.format("; %,d left out as hidden (a name "
                + "starting _ or .): %s%s", input.hiddenLeftOut, names(input.hidden, 3), input.hiddenLeftOut > 3 ? ", ..." : "");
        return String.format("%,d sequences of <= %d tokens, %,d tokens from %,d documents in %,d files (%,d skipped records%s); "
                        + "Parquet: %s/data, manifest: %s/manifest.json", count("sequences"), maxSeqLen, count("tokens"),
                count("documents"), count("files"), skippedTotal, hidden, output, output);
    }

    /** The last component of the first {@code n} paths (a directory keeps its /). */
    private static String names(List<String> paths, int n) {
        List<String> out = new ArrayList<>();
        for (String p : paths.subList(0, Math.min(n, paths.size()))) {
            boolean dir = p.endsWith("/");
            String bare = dir ? p.substring(0, p.length() - 1) : p;
            out.add(bare.substring(bare.lastIndexOf('/') + 1) + (dir ? "/" : ""));
        }
        return String.join(", ", out);
    }
}
