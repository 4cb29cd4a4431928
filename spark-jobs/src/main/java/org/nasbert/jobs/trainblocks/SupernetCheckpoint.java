package org.nasbert.jobs.trainblocks;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.nasbert.io.Json;
import org.nasbert.io.StepCheckpoints;
import org.nasbert.supernet.GroupOptimizer;
import org.nasbert.supernet.SupernetBlock;
import org.nasbert.teacher.checkpoint.SafeTensors;
import org.nasbert.teacher.checkpoint.WeightTensor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Block training's checkpoints, through Hadoop's FileSystem: {@code step-NNNNNNNN/} with every group's weights
 * ({@code weights.safetensors}, names {@code b<n>/<group>}), the optimiser moments ({@code optimizer.safetensors}
 * + {@code optimizer.json} for step counts and shapes) and {@code progress.json}; written beside and renamed
 * into place, {@code _SUCCESS} last. Only our own formats are read back (no Java deserialization).
 */
final class SupernetCheckpoint {
    private static final Logger LOG = LoggerFactory.getLogger(SupernetCheckpoint.class);

    private SupernetCheckpoint() {
    }

    /** A checkpoint's progress.json: the settings' key it was made under, the shrinking rounds done, the step. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    static final class Progress {
        public String settings;
        public int rounds;
        public long step;
    }

    static void write(FileSystem fs, Path dir, long step, SupernetBlock[] blocks, GroupOptimizer[] optimizers,
                      Progress progress) throws IOException {
        Path tmp = StepCheckpoints.begin(fs, dir, step);
        List<WeightTensor> weights = new ArrayList<>();
        for (int n = 0; n < blocks.length; n++) {
            for (String g : blocks[n].groupNames()) {
                float[] values = blocks[n].flatten(g, false);
                weights.add(new WeightTensor("b" + n + "/" + g, new int[]{values.length}, values));
            }
        }
        try (FSDataOutputStream out = fs.create(new Path(tmp, "weights.safetensors"))) {
            SafeTensors.write(weights, null, false, out);
        }
        Map<String, GroupOptimizer.Moments> moments = new TreeMap<>();
        for (int n = 0; n < optimizers.length; n++) {
            for (Map.Entry<String, GroupOptimizer.Moments> e : optimizers[n].export().entrySet()) {
                moments.put("b" + n + "/" + e.getKey(), e.getValue());
            }
        }
        GroupOptimizer.writeMoments(fs, tmp, moments);
        progress.step = step;
        writeJson(fs, new Path(tmp, "progress.json"), Json.MAPPER.valueToTree(progress));
        StepCheckpoints.commit(fs, dir, tmp, step);
    }

    /** The newest complete checkpoint, or null. */
    static Path latest(FileSystem fs, Path dir) throws IOException {
        return StepCheckpoints.latest(fs, dir);
    }

    static Progress progress(FileSystem fs, Path checkpoint) throws IOException {
        return Json.MAPPER.treeToValue(StepCheckpoints.readJson(fs, new Path(checkpoint, "progress.json")), Progress.class);
    }

    /** Loads weights and optimiser states into {@code blocks} and {@code optimizers}. */
    static void restore(FileSystem fs, Path checkpoint, SupernetBlock[] blocks, GroupOptimizer[] optimizers)
            throws IOException {
        Map<String, WeightTensor> weights = SafeTensors.read(fs, new Path(checkpoint, "weights.safetensors"));
        for (int n = 0; n < blocks.length; n++) {
            for (String g : blocks[n].groupNames()) {
                WeightTensor t = weights.get("b" + n + "/" + g);
                if (t == null) {
                    throw new IOException(checkpoint + " has no weights for b" + n + "/" + g);
                }
                blocks[n].load(g, t.data(), false);
            }
        }
        List<Map<String, GroupOptimizer.Moments>> perBlock = new ArrayList<>();
        for (int n = 0; n < optimizers.length; n++) {
            perBlock.add(new TreeMap<>());
        }
        for (Map.Entry<String, GroupOptimizer.Moments> e : GroupOptimizer.readMoments(fs, checkpoint).entrySet()) {
            String key = e.getKey();
            int slash = key.indexOf('/');
            perBlock.get(Integer.parseInt(key.substring(1, slash))).put(key.substring(slash + 1), e.getValue());
        }
        for (int n = 0; n < optimizers.length; n++) {
            optimizers[n].restore(perBlock.get(n));
        }
        LOG.info("train-blocks: resumed from {}", checkpoint);
    }

    static void writeJson(FileSystem fs, Path file, JsonNode node) throws IOException {
        StepCheckpoints.writeJson(fs, file, node);
    }
}
