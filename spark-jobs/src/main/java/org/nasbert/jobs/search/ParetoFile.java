package org.nasbert.jobs.search;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.nasbert.search.ArchitectureSearch;
import org.nasbert.space.StudentSize;
import org.nasbert.space.Architecture;
import org.nasbert.io.Json;
import org.nasbert.io.RunDirectory;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code <run>/search/pareto.json} as the later stages read it: per constraint the chosen student (or why none), and
 * the Pareto fronts of every student scored.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"units", "predicted_loss", "measured_loss", "embedding_size_setting", "rank_by", "constraints", "pareto_front",
        "pareto_fronts"})
public final class ParetoFile {
    public String units;
    /** What a student's predicted loss is (the sum of block losses, or the calibrated prediction). */
    @JsonProperty("predicted_loss")
    public String predictedLossMeaning;
    /** What a student's measured loss is. */
    @JsonProperty("measured_loss")
    public String measuredLossMeaning;
    /** search.embedding-size as the search ran (0: each student's block 0 width). */
    @JsonProperty("embedding_size_setting")
    public int embeddingSizeSetting;
    @JsonProperty("rank_by")
    public String rankBy;
    public List<ConstraintResult> constraints = new ArrayList<>();
    @JsonProperty("pareto_front")
    public List<Student> paretoFront = new ArrayList<>();
    @JsonProperty("pareto_fronts")
    public Map<String, List<Student>> paretoFronts = new LinkedHashMap<>();

    /** One constraint and what the search chose for it. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"constraint", "max_parameters", "max_latency_ms", "device", "students_evaluated", "chosen", "reason",
            "best_predicted"})
    public static final class ConstraintResult {
        public String constraint;
        @JsonProperty("max_parameters")
        public Long maxParameters;
        @JsonProperty("max_latency_ms")
        public Double maxLatencyMs;
        /** The device whose table the latency budget is on. */
        public String device;
        @JsonProperty("students_evaluated")
        public int studentsEvaluated;
        /** Null when no student fits; then {@link #reason} says why. */
        @JsonInclude(JsonInclude.Include.ALWAYS)
        public Student chosen;
        public String reason;
        @JsonProperty("best_predicted")
        public Student bestPredicted;
    }

    /** A scored student: architecture, the embedding width distill builds, losses and costs. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"architecture", "embedding_size", "blocks", "predicted_loss", "measured_loss", "parameters", "flops",
            "latency_ms", "latency_ms_by_device", "rank_by_predicted_loss", "measured_latency"})
    public static final class Student {
        public String architecture;
        /** Absent in pareto.json of an earlier version: those students had block 0's width. */
        @JsonProperty("embedding_size")
        public Integer embeddingSize;
        /** The architecture's blocks as {@link Architecture#toJson()} writes them. */
        public JsonNode blocks;
        @JsonProperty("predicted_loss")
        public double predictedLoss;
        @JsonProperty("measured_loss")
        public Double measuredLoss;
        public long parameters;
        public long flops;
        @JsonProperty("latency_ms")
        public double latencyMs;
        @JsonProperty("latency_ms_by_device")
        public Map<String, Double> latencyMsByDevice = new LinkedHashMap<>();
        @JsonProperty("rank_by_predicted_loss")
        public Integer rankByPredictedLoss;
        /** A chosen student timed whole, when the run's latency table was measured here. */
        @JsonProperty("measured_latency")
        public MeasuredLatency measuredLatency;

        /** A proposed student: its architecture, embedding width (what distill builds), losses and costs. */
        static Student of(ArchitectureSearch.Proposal p, Double measuredLoss, StudentSize size) throws IOException {
            Student s = new Student();
            s.architecture = p.architecture.toString();
            s.embeddingSize = size.embeddingWidth(p.architecture.blocks().get(0).hidden());
            s.blocks = Json.MAPPER.readTree(p.architecture.toJson()).get("blocks");
            s.predictedLoss = p.predictedLoss;
            s.measuredLoss = measuredLoss;
            s.parameters = p.parameters;
            s.flops = p.flops;
            s.latencyMs = p.latencyMs;
            s.latencyMsByDevice.putAll(p.latencyMsByDevice);
            return s;
        }
    }

    /** A student timed whole against the table's prediction and the sum of its parts timed alongside. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public static final class MeasuredLatency {
        @JsonProperty("median_ms")
        public double medianMs;
        @JsonProperty("p10_ms")
        public double p10Ms;
        @JsonProperty("p90_ms")
        public double p90Ms;
        public int runs;
        @JsonProperty("error_of_table")
        public double errorOfTable;
        @JsonProperty("parts_timed_alongside_ms")
        public double partsTimedAlongsideMs;
        @JsonProperty("error_of_parts_timed_alongside")
        public double errorOfPartsTimedAlongside;
    }

    /** Writes {@code file} (a stage's temporary output). */
    void write(FileSystem fs, Path file) throws IOException {
        try (FSDataOutputStream out = fs.create(file)) {
            out.write(Json.MAPPER.writeValueAsBytes(this));
        }
    }

    public static ParetoFile read(RunDirectory run) throws IOException {
        Path file = new Path(run.path(SearchStage.OUTPUT), SearchStage.PARETO);
        try (InputStream in = run.fileSystem().open(file)) {
            return Json.MAPPER.readValue(in, ParetoFile.class);
        }
    }
}
