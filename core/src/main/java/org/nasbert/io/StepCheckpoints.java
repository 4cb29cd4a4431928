package org.nasbert.io;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.nasbert.Cancelled;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Training checkpoints as {@code step-NNNNNNNN/} directories under one directory, through Hadoop's FileSystem: each
 * is written beside as {@code _tmp-step-NNNNNNNN/}, gets {@code _SUCCESS} last and is renamed into place; the older
 * ones are then removed. A reader only ever sees complete checkpoints.
 */
public final class StepCheckpoints {
    private static final String SUCCESS = "_SUCCESS";

    private StepCheckpoints() {
    }

    /** An empty directory to write step {@code step}'s files into. */
    public static Path begin(FileSystem fs, Path dir, long step) throws IOException {
        Path tmp = new Path(dir, String.format("_tmp-step-%08d", step));
        fs.delete(tmp, true);
        fs.mkdirs(tmp);
        return tmp;
    }

    /**
     * Marks {@code tmp} complete, moves it into place as step {@code step}'s checkpoint and removes the older ones; not
     * from a cancelled task, whose rerun may be reading the older ones.
     */
    public static void commit(FileSystem fs, Path dir, Path tmp, long step) throws IOException {
        Cancelled.check("checkpoint " + tmp);
        Path target = new Path(dir, String.format("step-%08d", step));
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

    /** The newest complete checkpoint, or null. */
    public static Path latest(FileSystem fs, Path dir) throws IOException {
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

    /** The step of the newest complete checkpoint in {@code dir}, 0 when there is none. */
    public static long latestStep(FileSystem fs, Path dir) throws IOException {
        Path latest = latest(fs, dir);
        return latest == null ? 0 : Long.parseLong(latest.getName().substring("step-".length()));
    }

    /**
     * Keeps the checkpoints under {@code dir} only if they were written for {@code key} (every setting and input that
     * shapes them, as text); otherwise empties {@code dir} and records the key there. Returns whether they were kept.
     */
    public static boolean keepOnlyFor(FileSystem fs, Path dir, String key) throws IOException {
        Path file = new Path(dir, "_for.txt");
        if (fs.exists(file)) {
            byte[] stored = new byte[(int) Math.min(fs.getFileStatus(file).getLen(), 1 << 20)];
            try (FSDataInputStream in = fs.open(file)) {
                in.readFully(stored);
            }
            if (key.equals(new String(stored, StandardCharsets.UTF_8))) {
                return true;
            }
        }
        fs.delete(dir, true);
        fs.mkdirs(dir);
        try (FSDataOutputStream out = fs.create(file, true)) {
            out.write(key.getBytes(StandardCharsets.UTF_8));
        }
        return false;
    }

    public static void writeJson(FileSystem fs, Path file, JsonNode node) throws IOException {
        try (FSDataOutputStream out = fs.create(file)) {
            out.write(Json.MAPPER.writeValueAsBytes(node));
        }
    }

    public static JsonNode readJson(FileSystem fs, Path file) throws IOException {
        try (InputStream in = fs.open(file)) {
            return Json.MAPPER.readTree(in);
        }
    }
}
