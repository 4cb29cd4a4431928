package org.nasbert.jobs.distill;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.nasbert.io.RunDirectory;
import org.nasbert.stage.Manifest;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code <run>/students/manifest.json}: the distilled students and baselines (each in {@code <run>/students/<name>/}),
 * what they learned and their held-out distillation loss.
 */
public final class StudentsManifest extends Manifest {
    /** "hidden-states" or "masked-lm". */
    public String objective;
    /** What {@link Student#heldOutLoss} means. */
    public String loss;
    @JsonProperty("training_sequences")
    public long trainingSequences;
    @JsonProperty("held_out_sequences")
    public long heldOutSequences;
    public List<Student> students = new ArrayList<>();

    /** One distilled model. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static final class Student {
        public String name;
        /** "searched" or "baseline". */
        public String kind;
        /** The constraints it was chosen or built for, separated by {@link DistillStage#CONSTRAINTS_SEPARATOR}. */
        public String constraint;
        /** A baseline's match per constraint: "parameters" or "latency" (absent for searched students). */
        @JsonProperty(DistillStage.BASELINE_FOR)
        public List<String> baselineFor;
        public String architecture;
        /** "fresh" or "inherited" (from the supernet's weights). */
        public String init;
        @JsonProperty("embedding_size")
        public Integer embeddingSize;
        public long parameters;
        @JsonProperty("held_out_loss_at_init")
        public double heldOutLossAtInit;
        @JsonProperty("held_out_loss")
        public Double heldOutLoss;
        public double seconds;
        @JsonProperty("resumed_from_step")
        public Long resumedFromStep;

        public boolean searched() {
            return "searched".equals(kind);
        }

        public List<String> constraints() {
            return DistillStage.constraints(constraint);
        }

        /** A baseline's match for its i-th constraint (a baseline of an earlier version matched parameters only). */
        public String role(int i) {
            return baselineFor != null && i < baselineFor.size() ? baselineFor.get(i) : "parameters";
        }
    }

    public static StudentsManifest read(RunDirectory run) throws IOException {
        return run.manifest(DistillStage.OUTPUT, StudentsManifest.class);
    }

    /** The student named {@code name}, or null. */
    public Student student(String name) {
        for (Student s : students) {
            if (s.name.equals(name)) {
                return s;
            }
        }
        return null;
    }

    @Override
    public String headline(String output) {
        StringBuilder s = new StringBuilder(String.format("%d students on %,d sequences; held-out distillation loss at init -> after:",
                students.size(), trainingSequences));
        for (Student st : students) {
            s.append(String.format("%n               %-12s %-9s %-26s %,11d parameters  %.4f -> %.4f  %s", st.name, st.kind, st.constraint,
                    st.parameters, st.heldOutLossAtInit, st.heldOutLoss, st.architecture));
        }
        return s.append(String.format("%n             %s/<name>/ (arch.json, model.safetensors)", output)).toString();
    }
}
