package org.nasbert.io;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.nasbert.NasbertException;

import java.io.IOException;
import java.io.InputStream;
import java.util.Collection;
import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

/**
 * A run's directory on any Hadoop file system. Each stage writes one output directory under it,
 * through {@link StageOutput}: into a temporary directory, renamed into place, {@code _SUCCESS} last.
 * Only an output with {@code _SUCCESS} counts as finished.
 */
public final class RunDirectory {
    public static final String SUCCESS = "_SUCCESS";
    public static final String MANIFEST = "manifest.json";
    static final String TEMP_PREFIX = "_tmp-";

    private final Path root;
    private final FileSystem fs;
    /** The outputs a stage may open (its declared inputs and its own), or null for all. */
    private final Set<String> readable;
    private final String reader;

    public RunDirectory(String uri, Configuration conf) {
        try {
            Path path = new Path(uri);
            this.fs = path.getFileSystem(conf);
            this.root = fs.makeQualified(path);
        } catch (IOException | IllegalArgumentException e) {
            throw new NasbertException("run directory '" + uri + "' is not usable: " + e.getMessage(), e);
        }
        this.readable = null;
        this.reader = null;
    }

    private RunDirectory(RunDirectory run, Set<String> readable, String reader) {
        this.root = run.root;
        this.fs = run.fs;
        this.readable = readable;
        this.reader = reader;
    }

    /**
     * This run directory as {@code stage} sees it: opening any output but {@code outputs} is a programming error, so a
     * stage that reads an output it does not declare as an input fails in every test that runs it.
     */
    public RunDirectory scopedTo(String stage, Collection<String> outputs) {
        return new RunDirectory(this, Collections.unmodifiableSet(new TreeSet<>(outputs)), stage);
    }

    public Path root() {
        return root;
    }

    public FileSystem fileSystem() {
        return fs;
    }

    public Path path(String output) {
        // names starting with '_' are working directories (checkpoints), hidden from Hadoop's readers, not outputs
        if (readable != null && !readable.contains(output) && !output.startsWith("_")) {
            throw new IllegalStateException(reader + " opens the run's '" + output + "' output, which it does not declare as an input"
                    + " (it may open " + readable + "); add its stage to inputs() or optionalInputs()");
        }
        return new Path(root, output);
    }

    public boolean isComplete(String output) throws IOException {
        return fs.exists(new Path(path(output), SUCCESS));
    }

    /** The finished output of an earlier stage, or an error saying which stage to run first. */
    public Path requireComplete(String output, String producedBy) throws IOException {
        if (!isComplete(output)) {
            throw new NasbertException(path(output) + " is missing or unfinished (no " + SUCCESS + "); run 'bin/nasbert "
                    + producedBy + "' for this run first");
        }
        return path(output);
    }

    /** The manifest of a finished output. */
    public JsonNode manifest(String output) throws IOException {
        Path file = new Path(path(output), MANIFEST);
        try (InputStream in = fs.open(file)) {
            return Json.MAPPER.readTree(in);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new NasbertException(file + " is not a complete JSON manifest (" + e.getOriginalMessage()
                    + "); redo its stage with --force", e);
        }
    }

    /** The manifest of a finished output as its class. */
    public <M> M manifest(String output, Class<M> type) throws IOException {
        try {
            return Json.MAPPER.treeToValue(manifest(output), type);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new NasbertException(new Path(path(output), MANIFEST) + " does not read as " + type.getSimpleName() + " ("
                    + e.getOriginalMessage() + "); redo its stage with --force", e);
        }
    }

    /**
     * Starts writing {@code output}: removes what earlier, interrupted attempts left behind (temporary
     * directories, and an output without _SUCCESS) and creates a fresh temporary directory.
     */
    public StageOutput begin(String output) throws IOException {
        fs.mkdirs(root);
        for (FileStatus status : fs.listStatus(root)) {
            if (status.getPath().getName().startsWith(TEMP_PREFIX + output + "-")) {
                fs.delete(status.getPath(), true);
            }
        }
        Path target = path(output);
        if (fs.exists(target) && !isComplete(output)) {
            fs.delete(target, true);
        }
        Path temp = new Path(root, TEMP_PREFIX + output + "-" + System.currentTimeMillis());
        return new StageOutput(fs, temp, target);
    }
}
