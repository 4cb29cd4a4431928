package org.nasbert.jobs.trainblocks;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import org.apache.hadoop.fs.Path;
import org.nasbert.NasbertException;
import org.nasbert.io.Json;
import org.nasbert.io.RunDirectory;
import org.nasbert.search.ArchitectureSearch;
import org.nasbert.space.BlockPath;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code <run>/supernet/candidates.json}: shrinking's survivors per block, bin by bin, each with its held-out loss
 * and costs; what the search and fidelity stages choose from.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({"eval_sequences", "loss", "latency_units", "flops_sequence_length", "blocks"})
public final class CandidatesFile {
    @JsonProperty("eval_sequences")
    public int evalSequences;
    /** What a candidate's loss is. */
    public String loss;
    @JsonProperty("latency_units")
    public String latencyUnits;
    @JsonProperty("flops_sequence_length")
    public int flopsSequenceLength;
    public List<Block> blocks = new ArrayList<>();

    /** One block's surviving paths. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public static final class Block {
        public int block;
        public List<Candidate> candidates = new ArrayList<>();
    }

    /** A block path with its held-out loss and costs, as candidates.json and the shrinking rounds list it. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonPropertyOrder({"path", "loss", "parameters", "flops", "latency_ms"})
    public static class ScoredPath {
        public String path;
        public Double loss;
        public long parameters;
        public long flops;
        @JsonProperty("latency_ms")
        public double latencyMs;
    }

    /** One surviving path of a block. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonPropertyOrder({"path", "loss", "parameters", "flops", "latency_ms", "bin"})
    public static final class Candidate extends ScoredPath {
        /** Its size bin, from 1. */
        public int bin;
    }

    /** Per block, each surviving path with its held-out loss; refuses a file without them, naming it. */
    public static List<List<ArchitectureSearch.Scored>> readScored(RunDirectory run) throws IOException {
        Path file = new Path(run.path(TrainBlocksStage.OUTPUT), TrainBlocksStage.CANDIDATES);
        CandidatesFile candidates;
        try (InputStream in = run.fileSystem().open(file)) {
            candidates = Json.MAPPER.readValue(in, CandidatesFile.class);
        } catch (IOException e) {
            throw new NasbertException(file + " is missing or unreadable (" + e.getMessage() + "); rerun 'bin/nasbert train-blocks --force'", e);
        }
        List<List<ArchitectureSearch.Scored>> out = new ArrayList<>();
        for (Block block : candidates.blocks) {
            List<ArchitectureSearch.Scored> list = new ArrayList<>();
            for (Candidate c : block.candidates) {
                if (c.loss == null || c.path == null) {
                    throw new NasbertException(file + ": block " + block.block + ": a candidate without a path or a numeric loss: "
                            + Json.MAPPER.writeValueAsString(c));
                }
                list.add(new ArchitectureSearch.Scored(BlockPath.parse(c.path), c.loss));
            }
            if (list.isEmpty()) {
                throw new NasbertException(file + ": block " + block.block + " has no candidates");
            }
            out.add(list);
        }
        if (out.isEmpty()) {
            throw new NasbertException(file + " lists no blocks");
        }
        return out;
    }
}
