package org.nasbert.jobs.supernet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.nasbert.io.Json;
import org.nasbert.supernet.GroupOptimizer;
import org.nasbert.supernet.SupernetBlock;
import org.nasbert.teacher.checkpoint.SafeTensors;
import org.nasbert.teacher.checkpoint.WeightTensor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
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
    private static final String SUCCESS = "_SUCCESS";

    private SupernetCheckpoint() {
    }

    static void write(FileSystem fs, Path dir, long step, SupernetBlock[] blocks, GroupOptimizer[] optimizers,
                      ObjectNode progress) throws IOException {
        Path target = new Path(dir, String.format("step-%08d", step));
        Path tmp = new Path(dir, String.format("_tmp-step-%08d", step));
        fs.delete(tmp, true);
        fs.mkdirs(tmp);
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
        List<WeightTensor> moments = new ArrayList<>();
        ObjectNode meta = Json.MAPPER.createObjectNode();
        for (int n = 0; n < optimizers.length; n++) {
            for (Map.Entry<String, GroupOptimizer.Moments> e : optimizers[n].export().entrySet()) {
                String key = "b" + n + "/" + e.getKey();
                GroupOptimizer.Moments m = e.getValue();
                moments.add(new WeightTensor(key + "/m", new int[]{m.first.length}, m.first));
                moments.add(new WeightTensor(key + "/v", new int[]{m.second.length}, m.second));
                ObjectNode entry = meta.putObject(key);
                entry.put("steps", m.steps);
                for (int d : m.shape) {
                    entry.withArray("shape").add(d);
                }
            }
        }
        try (FSDataOutputStream out = fs.create(new Path(tmp, "optimizer.safetensors"))) {
            SafeTensors.write(moments, null, false, out);
        }
        writeJson(fs, new Path(tmp, "optimizer.json"), meta);
        progress.put("step", step);
        writeJson(fs, new Path(tmp, "progress.json"), progress);
        fs.create(new Path(tmp, SUCCESS)).close();
        fs.delete(target, true);
        if (!fs.rename(tmp, target)) {
            throw new IOException("cannot rename " + tmp + " to " + target);
        }
        for (FileStatus old : fs.listStatus(dir)) {
            String name = old.getPath().getName();
            if (name.startsWith("step-") && !name.equals(target.getName())) {
                fs.delete(old.getPath(), true);
            }
        }
    }

    /** The newest complete checkpoint's progress, or null. */
    static Path latest(FileSystem fs, Path dir) throws IOException {
        if (!fs.exists(dir)) {
            return null;
        }
        List<String> steps = new ArrayList<>();
        for (FileStatus s : fs.listStatus(dir)) {
            String name = s.getPath().getName();
            if (name.startsWith("step-") && fs.exists(new Path(s.getPath(), SUCCESS))) {
                steps.add(name);
            }
        }
        if (steps.isEmpty()) {
            return null;
        }
        Collections.sort(steps);
        return new Path(dir, steps.get(steps.size() - 1));
    }

    static JsonNode progress(FileSystem fs, Path checkpoint) throws IOException {
        try (InputStream in = fs.open(new Path(checkpoint, "progress.json"))) {
            return Json.MAPPER.readTree(in);
        }
    }

    /** Loads weights and optimiser states into {@code blocks} and {@code optimizers}. */
    static void restore(FileSystem fs, Path checkpoint, SupernetBlock[] blocks, GroupOptimizer[] optimizers, double lr)
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
        Map<String, WeightTensor> moments = SafeTensors.read(fs, new Path(checkpoint, "optimizer.safetensors"));
        JsonNode meta;
        try (InputStream in = fs.open(new Path(checkpoint, "optimizer.json"))) {
            meta = Json.MAPPER.readTree(in);
        }
        List<Map<String, GroupOptimizer.Moments>> perBlock = new ArrayList<>();
        for (int n = 0; n < optimizers.length; n++) {
            perBlock.add(new TreeMap<>());
        }
        for (java.util.Iterator<Map.Entry<String, JsonNode>> it = meta.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            int slash = key.indexOf('/');
            int n = Integer.parseInt(key.substring(1, slash));
            JsonNode shapeNode = e.getValue().path("shape");
            int[] shape = new int[shapeNode.size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = shapeNode.get(i).asInt();
            }
            perBlock.get(n).put(key.substring(slash + 1), new GroupOptimizer.Moments(e.getValue().path("steps").asInt(), shape,
                    moments.get(key + "/m").data(), moments.get(key + "/v").data()));
        }
        for (int n = 0; n < optimizers.length; n++) {
            optimizers[n].restore(perBlock.get(n), lr);
        }
        LOG.info("train-blocks: resumed from {}", checkpoint);
    }

    static void writeJson(FileSystem fs, Path file, JsonNode node) throws IOException {
        try (FSDataOutputStream out = fs.create(file)) {
            out.write(Json.MAPPER.writeValueAsBytes(node));
        }
    }
}
