package org.nasbert.jobs.fidelity;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.apache.hadoop.fs.Path;
import org.nasbert.io.Json;
import org.nasbert.io.RunDirectory;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code <run>/fidelity/fidelity.json}: every student distilled alone with its search score, block losses and
 * standalone loss; the rank correlations; the calibration the search can rank by.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class FidelityFile {
    @JsonProperty("students_distilled")
    public int studentsDistilled;
    @JsonProperty("kendall_tau")
    public Map<String, FidelityManifest.Correlation> kendallTau = new LinkedHashMap<>();
    @JsonProperty("spearman_rho")
    public Map<String, FidelityManifest.Correlation> spearmanRho = new LinkedHashMap<>();
    /** What each number means. */
    public Map<String, String> meaning = new LinkedHashMap<>();
    /** The least-squares fit of standalone loss to the block losses: intercept, then one weight per block (absent: too few students). */
    @JsonProperty("calibration_weights")
    public double[] calibrationWeights;
    @JsonProperty("training_sequences")
    public long trainingSequences;
    @JsonProperty("held_out_sequences")
    public long heldOutSequences;
    public List<Student> students = new ArrayList<>();

    /** One student distilled alone. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public static final class Student {
        public String name;
        public String architecture;
        @JsonProperty("embedding_size")
        public int embeddingSize;
        public long parameters;
        @JsonProperty("latency_ms")
        public double latencyMs;
        /** The constraints the search chose it for (empty: sampled across the size range). */
        @JsonProperty("chosen_for")
        public List<String> chosenFor = new ArrayList<>();
        @JsonProperty("search_score")
        public double searchScore;
        @JsonProperty("predicted_loss")
        public double predictedLoss;
        @JsonProperty("block_losses")
        public double[] blockLosses;
        @JsonProperty("calibrated_block_losses")
        public Double calibratedBlockLosses;
        @JsonProperty("standalone_loss_at_init")
        public double standaloneLossAtInit;
        @JsonProperty("standalone_loss")
        public double standaloneLoss;
        public double seconds;
        /** "distill" (reused) or "fidelity". */
        @JsonProperty("trained_by")
        public String trainedBy;
    }

    public static FidelityFile read(RunDirectory run) throws IOException {
        try (InputStream in = run.fileSystem().open(new Path(run.path(FidelityStage.OUTPUT), FidelityStage.FILE))) {
            return Json.MAPPER.readValue(in, FidelityFile.class);
        }
    }
}
