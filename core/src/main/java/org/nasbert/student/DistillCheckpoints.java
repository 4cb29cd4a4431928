package org.nasbert.student;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.nasbert.nn.ModuleWeights;
import org.nasbert.io.Json;
import org.nasbert.io.StepCheckpoints;
import org.nasbert.supernet.GroupOptimizer;

import java.io.IOException;

/**
 * A student's distillation checkpoints ({@link StepCheckpoints}): the weights ({@code weights.safetensors}), Adam's
 * moments ({@link GroupOptimizer#writeMoments}) and {@code progress.json}. Only these formats are read back (no Java
 * deserialization).
 */
public final class DistillCheckpoints {
    private final FileSystem fs;
    private final Path dir;
    private final int every;
    private final String writer;

    /** Checkpoints in {@code dir} every {@code every} steps (0: never). */
    public DistillCheckpoints(FileSystem fs, Path dir, int every) {
        this(fs, dir, every, "");
    }

    /** As above; {@code writer} (e.g. Spark's executor id and host) is recorded in each checkpoint's progress. */
    public DistillCheckpoints(FileSystem fs, Path dir, int every, String writer) {
        this.fs = fs;
        this.dir = dir;
        this.every = every;
        this.writer = writer;
    }

    /** The step of the newest complete checkpoint, 0 when there is none. */
    public long latestStep() throws IOException {
        return StepCheckpoints.latestStep(fs, dir);
    }

    public int every() {
        return every;
    }

    /** What a checkpoint restores besides the weights. */
    public static final class Progress {
        public final int step;
        public final double heldOutLossAtStart;

        Progress(int step, double heldOutLossAtStart) {
            this.step = step;
            this.heldOutLossAtStart = heldOutLossAtStart;
        }
    }

    public void save(int step, double heldOutLossAtStart, StudentModel student, GroupOptimizer adam) throws IOException {
        Path tmp = StepCheckpoints.begin(fs, dir, step);
        try (FSDataOutputStream out = fs.create(new Path(tmp, "weights.safetensors"))) {
            ModuleWeights.write(student.modules(), null, out);
        }
        GroupOptimizer.writeMoments(fs, tmp, adam.export());
        ObjectNode progress = Json.MAPPER.createObjectNode();
        progress.put("step", step);
        progress.put("held_out_loss_at_start", heldOutLossAtStart);
        progress.put("written_by", writer);
        StepCheckpoints.writeJson(fs, new Path(tmp, "progress.json"), progress);
        StepCheckpoints.commit(fs, dir, tmp, step);
    }

    /** Loads the newest complete checkpoint into the student and the optimiser; null when there is none. */
    public Progress restore(StudentModel student, GroupOptimizer adam) throws IOException {
        Path latest = StepCheckpoints.latest(fs, dir);
        if (latest == null) {
            return null;
        }
        ModuleWeights.read(fs, new Path(latest, "weights.safetensors"), student.modules());
        adam.restore(GroupOptimizer.readMoments(fs, latest));
        JsonNode progress = StepCheckpoints.readJson(fs, new Path(latest, "progress.json"));
        return new Progress(progress.path("step").asInt(), progress.path("held_out_loss_at_start").asDouble());
    }
}
