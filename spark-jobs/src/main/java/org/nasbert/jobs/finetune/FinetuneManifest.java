package org.nasbert.jobs.finetune;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.nasbert.finetune.FinetuneSettings;
import org.nasbert.io.RunDirectory;
import org.nasbert.stage.Manifest;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code <run>/finetune/manifest.json}: the task as fine-tuned (evaluate scores on this task with this teacher, whatever
 * today's settings say), its training file, and every model's losses per epoch and per seed.
 */
public final class FinetuneManifest extends Manifest {
    /** The task directory (finetune.task as it ran). */
    public String task;
    public String format;
    /** The classes in label-id order (null for regression). */
    public List<String> labels;
    public int outputs;
    public TaskFile train;
    public String loss;
    /** The teacher first, then each student and baseline. */
    public List<Model> models = new ArrayList<>();

    /** A task file as read: how many examples, what was skipped and why (the first problems with file:line). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static final class TaskFile {
        public String file;
        public int examples;
        public Map<String, Integer> skipped;
        @JsonProperty("first_problems")
        public List<String> firstProblems;
    }

    /** One fine-tuned model. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static final class Model {
        public String name;
        /** "teacher", "searched" or "baseline". */
        public String kind;
        public String constraint;
        @JsonProperty("epoch_losses")
        public double[] epochLosses;
        public double seconds;
        @JsonProperty("resumed_from_step")
        public Long resumedFromStep;
        /** The teacher's checkpoint (teacher only). */
        public String model;
        @JsonProperty("layers_trained")
        public Integer layersTrained;
        public Integer layers;
        public String architecture;
        public Long parameters;
        /** Each seed's fine-tuning (students; the first is the model's own). */
        public List<Seed> seeds;
    }

    /** One seed's fine-tuning of a model, in {@code <run>/finetune/<dir>}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static final class Seed {
        public long seed;
        public String dir;
        @JsonProperty("epoch_losses")
        public double[] epochLosses;
    }

    public static FinetuneManifest read(RunDirectory run) throws IOException {
        return run.manifest(FinetuneStage.OUTPUT, FinetuneManifest.class);
    }

    /** The teacher's entry. */
    public Model teacher() {
        for (Model m : models) {
            if (FinetuneStage.TEACHER.equals(m.name)) {
                return m;
            }
        }
        return null;
    }

    /** finetune.max-length as it ran: evaluate encodes its files the same way. */
    public int maxLength() {
        return recorded(FinetuneSettings.MAX_LENGTH);
    }

    @Override
    public String headline(String output) {
        StringBuilder s = new StringBuilder(String.format("%s (%s), %,d training examples; training loss first -> last epoch:",
                task, format, train.examples));
        for (Model t : models) {
            double[] l = t.epochLosses;
            s.append(String.format("%n               %-12s %-9s %.4f -> %.4f  (%.0f s)", t.name, t.kind, l[0], l[l.length - 1], t.seconds));
        }
        return s.append(String.format("%n             %s/<name>/", output)).toString();
    }
}
