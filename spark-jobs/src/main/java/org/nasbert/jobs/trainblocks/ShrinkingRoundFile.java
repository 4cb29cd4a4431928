package org.nasbert.jobs.trainblocks;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.nasbert.io.Json;
import org.nasbert.io.RunDirectory;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One round of progressive shrinking, {@code shrinking/round-NN.json} (in the checkpoints while training, in the
 * supernet output after): per block and size bin the paths before and after, and every sampled path with its
 * held-out loss, costs and whether it was kept. A resumed run replays the rounds from these files.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({"round", "after_step", "eval_sequences", "latency_units", "blocks"})
public final class ShrinkingRoundFile {
    public int round;
    @JsonProperty("after_step")
    public long afterStep;
    @JsonProperty("eval_sequences")
    public int evalSequences;
    @JsonProperty("latency_units")
    public String latencyUnits;
    public List<Block> blocks = new ArrayList<>();

    /** One block's bins in this round. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public static final class Block {
        public int block;
        public List<Bin> bins = new ArrayList<>();
    }

    /** One size bin: how many paths it held before and after, and the sampled paths scored. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonPropertyOrder({"bin", "paths_before", "paths_after", "scored"})
    public static final class Bin {
        public int bin;
        @JsonProperty("paths_before")
        public long pathsBefore;
        @JsonProperty("paths_after")
        public long pathsAfter;
        public List<Scored> scored = new ArrayList<>();
    }

    /** A sampled path: its held-out loss and costs, and whether it survived the round. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonPropertyOrder({"path", "loss", "parameters", "flops", "latency_ms", "kept"})
    public static final class Scored extends CandidatesFile.ScoredPath {
        public boolean kept;
    }

    static String fileName(int round) {
        return String.format("round-%02d.json", round);
    }

    void write(FileSystem fs, Path dir) throws IOException {
        fs.mkdirs(dir);
        try (FSDataOutputStream out = fs.create(new Path(dir, fileName(round)))) {
            out.write(Json.MAPPER.writeValueAsBytes(this));
        }
    }

    static ShrinkingRoundFile read(FileSystem fs, Path file) throws IOException {
        try (InputStream in = fs.open(file)) {
            return Json.MAPPER.readValue(in, ShrinkingRoundFile.class);
        }
    }

    /** Every round the finished supernet output records, in order; empty when it trained without shrinking. */
    public static List<ShrinkingRoundFile> readAll(RunDirectory run) throws IOException {
        Path dir = new Path(run.path(TrainBlocksStage.OUTPUT), ShrinkingRounds.DIR);
        List<ShrinkingRoundFile> out = new ArrayList<>();
        if (!run.fileSystem().exists(dir)) {
            return out;
        }
        FileStatus[] rounds = run.fileSystem().listStatus(dir, p -> p.getName().matches("round-\\d+\\.json"));
        Arrays.sort(rounds, (a, b) -> a.getPath().getName().compareTo(b.getPath().getName()));
        for (FileStatus f : rounds) {
            try {
                out.add(read(run.fileSystem(), f.getPath()));
            } catch (IOException e) {
                throw new IOException("cannot read " + f.getPath() + ": " + e.getMessage(), e);
            }
        }
        return out;
    }
}
