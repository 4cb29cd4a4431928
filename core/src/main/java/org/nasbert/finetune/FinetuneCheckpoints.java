package org.nasbert.finetune;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.nasbert.NasbertException;
import org.nasbert.io.Json;
import org.nasbert.io.StepCheckpoints;
import org.nasbert.nn.ModuleWeights;
import org.nasbert.nn.Parameterized;
import org.nasbert.supernet.GroupOptimizer;

import java.io.IOException;
import java.util.List;

/**
 * One model's fine-tuning checkpoints ({@link StepCheckpoints}): the trained modules' weights ({@code weights.safetensors}),
 * Adam's moments and {@code progress.json} (the step, each epoch's running loss sum). A checkpoint at the last step
 * marks the model as trained. Only these formats are read back (no Java deserialization).
 */
public final class FinetuneCheckpoints {
    private final FileSystem fs;
    private final Path dir;
    private final int every;

    /** Checkpoints in {@code dir} every {@code every} steps and after the last (0: never). */
    public FinetuneCheckpoints(FileSystem fs, Path dir, int every) {
        this.fs = fs;
        this.dir = dir;
        this.every = every;
    }

    /** Whether step {@code step} (counted from 1) of {@code total} ends with a checkpoint. */
    boolean due(long step, long total) {
        return every > 0 && (step % every == 0 || step == total);
    }

    /** Where training stood at a checkpoint. */
    static final class Progress {
        final long step;
        /** Per epoch, the sum of (batch loss x batch size) so far. */
        final double[] epochSums;

        Progress(long step, double[] epochSums) {
            this.step = step;
            this.epochSums = epochSums;
        }
    }

    void save(long step, double[] epochSums, List<Parameterized<?>> modules, GroupOptimizer adam) throws IOException {
        Path tmp = StepCheckpoints.begin(fs, dir, step);
        try (FSDataOutputStream out = fs.create(new Path(tmp, "weights.safetensors"))) {
            ModuleWeights.write(modules, null, out);
        }
        GroupOptimizer.writeMoments(fs, tmp, adam.export());
        ObjectNode progress = Json.MAPPER.createObjectNode();
        progress.put("step", step);
        ArrayNode sums = progress.putArray("epoch_loss_sums");
        for (double s : epochSums) {
            sums.add(s);
        }
        StepCheckpoints.writeJson(fs, new Path(tmp, "progress.json"), progress);
        StepCheckpoints.commit(fs, dir, tmp, step);
    }

    /** Loads the newest complete checkpoint into the modules and the optimiser; null when there is none. */
    Progress restore(List<Parameterized<?>> modules, GroupOptimizer adam, int epochs) throws IOException {
        Path latest = StepCheckpoints.latest(fs, dir);
        if (latest == null) {
            return null;
        }
        ModuleWeights.read(fs, new Path(latest, "weights.safetensors"), modules);
        adam.restore(GroupOptimizer.readMoments(fs, latest));
        Path file = new Path(latest, "progress.json");
        JsonNode progress = StepCheckpoints.readJson(fs, file);
        JsonNode sums = progress.path("epoch_loss_sums");
        if (!progress.path("step").canConvertToLong() || progress.path("step").asLong() < 1 || sums.size() != epochs) {
            throw new NasbertException(file + ": expected a positive \"step\" and " + epochs + " \"epoch_loss_sums\", found " + progress);
        }
        double[] epochSums = new double[epochs];
        for (int e = 0; e < epochs; e++) {
            epochSums[e] = sums.get(e).asDouble();
        }
        return new Progress(progress.path("step").asLong(), epochSums);
    }

    /** The step of the newest complete checkpoint, 0 when there is none. */
    public long latestStep() throws IOException {
        return StepCheckpoints.latestStep(fs, dir);
    }
}
