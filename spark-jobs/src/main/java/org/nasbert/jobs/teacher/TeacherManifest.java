package org.nasbert.jobs.teacher;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.nasbert.io.RunDirectory;
import org.nasbert.stage.Manifest;
import org.nasbert.teacher.TeacherSettings;

import java.io.IOException;
import java.util.Arrays;
import java.util.Map;

/**
 * {@code <run>/teacher/manifest.json}: the teacher checkpoint as read (later stages load this one, not today's
 * teacher.model), its block boundaries, and, when its states are materialized, what was written.
 */
public final class TeacherManifest extends Manifest {
    public Teacher teacher;
    /** The teacher layer after which each block ends (0 = the embeddings). */
    public int[] boundaries;
    public boolean materialized;
    /** fp16 or fp32 (materialized only). */
    public String precision;
    @JsonProperty("hidden_size")
    public Integer hiddenSize;
    /** sequences, tokens, held_out_sequences, corpus_sequences (materialized only). */
    public Map<String, Long> counts;
    @JsonProperty("bytes_estimated")
    public Long bytesEstimated;
    @JsonProperty("bytes_written")
    public Long bytesWritten;
    public Map<String, String> schema;

    /** The checkpoint: where it is, its format and shape. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static final class Teacher {
        public String location;
        public String format;
        public String vocabulary;
        public int layers;
        @JsonProperty("hidden_size")
        public int hiddenSize;
        public int heads;
        @JsonProperty("intermediate_size")
        public int intermediateSize;
        @JsonProperty("vocab_size")
        public int vocabSize;
        @JsonProperty("max_positions")
        public int maxPositions;
        @JsonProperty("layer_norm_eps")
        public double layerNormEps;
        public long parameters;
        @JsonProperty("mlm_head")
        public boolean mlmHead;

        /** The sizes recorded, as the model's config (two token types, as BERT's). */
        public org.nasbert.teacher.BertConfig sizes() {
            return new org.nasbert.teacher.BertConfig(vocabSize, hiddenSize, layers, heads, intermediateSize, maxPositions, 2,
                    (float) layerNormEps);
        }
    }

    public static TeacherManifest read(RunDirectory run) throws IOException {
        return run.manifest(TeacherStage.OUTPUT, TeacherManifest.class);
    }

    public long count(String name) {
        return counts == null ? 0 : counts.getOrDefault(name, 0L);
    }

    @Override
    public String headline(String output) {
        String model = String.format("%s teacher, %d layers, hidden %d, %,d weights; boundaries after layers %s", teacher.format,
                teacher.layers, teacher.hiddenSize, teacher.parameters, Arrays.toString(boundaries).replace(" ", ""));
        if (!materialized) {
            return model + "; states computed on the fly by training; manifest: " + output + "/manifest.json";
        }
        return String.format("%s;%n             %,d sequences (%,d held out), %,d tokens, %s states, %,d MB (estimated %,d MB); "
                        + "Parquet: %s/data", model, count("sequences"), count("held_out_sequences"), count("tokens"), precision,
                bytesWritten >> 20, bytesEstimated >> 20, output);
    }

    /** The teacher's hidden width (what students distilled on its states project to). */
    public int width() {
        return teacher.hiddenSize;
    }

    public int blocks() {
        return boundaries.length - 1;
    }

    /** Whether the stored states are fp16. */
    public boolean half() {
        return "fp16".equals(precision);
    }

    /** teacher.sequences as the stage ran (0 = all). */
    public long sequencesWanted() {
        return recorded(TeacherSettings.SEQUENCES);
    }

    /** teacher.held-out as the stage ran. */
    public double heldOutShare() {
        return recorded(TeacherSettings.HELD_OUT);
    }
}
