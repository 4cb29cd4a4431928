package org.nasbert.io;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.OutputStream;

/**
 * One stage's output being written: everything goes to {@link #temp()}; {@link #commit} writes the
 * manifest, swaps the directory into place with one rename and writes {@code _SUCCESS} last, so a
 * reader never sees a half-written output as finished.
 */
public final class StageOutput {
    private final FileSystem fs;
    private final Path temp;
    private final Path target;

    StageOutput(FileSystem fs, Path temp, Path target) {
        this.fs = fs;
        this.temp = temp;
        this.target = target;
    }

    /** Where the stage writes; a Spark writer may create it. */
    public Path temp() {
        return temp;
    }

    public Path target() {
        return target;
    }

    public FileSystem fileSystem() {
        return fs;
    }

    public void commit(Object manifest) throws IOException {
        fs.mkdirs(temp);
        // Spark's committer marks its own directory; only our _SUCCESS, written after the rename, counts.
        fs.delete(new Path(temp, RunDirectory.SUCCESS), false);
        try (OutputStream out = fs.create(new Path(temp, RunDirectory.MANIFEST), true)) {
            Json.MAPPER.writeValue(out, manifest);
        }
        if (fs.exists(target) && !fs.delete(target, true)) {
            throw new IOException("cannot remove the previous output " + target);
        }
        if (!fs.rename(temp, target)) {
            throw new IOException("cannot rename " + temp + " to " + target);
        }
        fs.create(new Path(target, RunDirectory.SUCCESS), true).close();
    }

    /** Removes the temporary directory; the previous output, if any, stays as it was. */
    public void abort() {
        try {
            fs.delete(temp, true);
        } catch (IOException ignored) {
            // Best effort: the next begin() removes leftovers too.
        }
    }
}
