package org.nasbert.prep;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.nasbert.NasbertException;
import org.nasbert.io.Sha256;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * The input files of a corpus, listed on the driver so that a wrong path fails before any task runs:
 * globs expanded, directories walked recursively, names starting with _ or . left out (as Hadoop
 * does: _SUCCESS, .crc files), duplicates merged.
 */
public final class CorpusFiles {
    public final List<Path> files;
    public final long bytes;
    /** SHA-256 over every file's URI, size and modification time. */
    public final String fingerprint;

    private CorpusFiles(List<Path> files, long bytes, String fingerprint) {
        this.files = files;
        this.bytes = bytes;
        this.fingerprint = fingerprint;
    }

    public static CorpusFiles list(String inputs, Configuration conf) throws IOException {
        TreeMap<String, FileStatus> found = new TreeMap<>();
        for (String input : inputs.split(",")) {
            input = input.trim();
            if (input.isEmpty()) {
                continue;
            }
            Path pattern = new Path(input);
            FileSystem fs = pattern.getFileSystem(conf);
            FileStatus[] matches = fs.globStatus(pattern);
            if (matches == null || matches.length == 0) {
                throw new NasbertException("tokenize.input: '" + input + "' does not exist (or matches no file)");
            }
            int before = found.size();
            for (FileStatus match : matches) {
                if (match.isDirectory()) {
                    addDirectory(fs, match.getPath(), found);
                } else {
                    found.put(match.getPath().toString(), match);
                }
            }
            if (found.size() == before) {
                throw new NasbertException("tokenize.input: '" + input + "' contains no files");
            }
        }
        if (found.isEmpty()) {
            throw new NasbertException("tokenize.input is empty; expected files, directories or globs");
        }
        List<Path> files = new ArrayList<>();
        long bytes = 0;
        MessageDigest digest = Sha256.digest();
        for (FileStatus status : found.values()) {
            files.add(status.getPath());
            bytes += status.getLen();
            digest.update((status.getPath() + "|" + status.getLen() + "|" + status.getModificationTime() + "\n")
                    .getBytes(StandardCharsets.UTF_8));
        }
        return new CorpusFiles(files, bytes, Sha256.hex(digest));
    }

    /**
     * Walks with listStatus: Hadoop's listFiles builds a LocatedFileStatus per file, which on the local
     * file system forks a shell per file to read its permissions.
     */
    private static void addDirectory(FileSystem fs, Path dir, TreeMap<String, FileStatus> found) throws IOException {
        for (FileStatus status : fs.listStatus(dir)) {
            String name = status.getPath().getName();
            if (name.startsWith("_") || name.startsWith(".")) {
                continue;
            }
            if (status.isDirectory()) {
                addDirectory(fs, status.getPath(), found);
            } else {
                found.put(status.getPath().toString(), status);
            }
        }
    }
}
