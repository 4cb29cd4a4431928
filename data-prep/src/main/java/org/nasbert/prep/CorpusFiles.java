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
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The input files of a corpus, listed on the driver so that a wrong path fails before any task runs:
 * globs expanded, directories walked recursively, duplicates merged. Hadoop's hidden-file rule applies to what a
 * directory or a glob brings: names starting with _ or . are left out (_SUCCESS, .crc files, .git), and listed
 * in {@link #hidden} so that the manifest names them; a file named in full is read whatever its name.
 */
public final class CorpusFiles {
    public final List<Path> files;
    /** What the hidden-file rule left out: files, and directories (ending in /) whose content was not walked. */
    public final List<String> hidden;
    public final long bytes;
    /** SHA-256 over every file's URI, size and modification time. */
    public final String fingerprint;

    private CorpusFiles(List<Path> files, List<String> hidden, long bytes, String fingerprint) {
        this.files = files;
        this.hidden = hidden;
        this.bytes = bytes;
        this.fingerprint = fingerprint;
    }

    public static CorpusFiles list(String inputs, Configuration conf) throws IOException {
        TreeMap<String, FileStatus> found = new TreeMap<>();
        TreeSet<String> hidden = new TreeSet<>();
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
            boolean glob = isGlob(input);
            for (FileStatus match : matches) {
                if (glob && isHidden(match.getPath())) {
                    hidden.add(match.getPath() + (match.isDirectory() ? "/" : ""));
                } else if (match.isDirectory()) {
                    addDirectory(fs, match.getPath(), found, hidden);
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
        return new CorpusFiles(files, new ArrayList<>(hidden), bytes, Sha256.hex(digest));
    }

    /** Hadoop's hidden-file rule (FileInputFormat's hiddenFileFilter). */
    static boolean isHidden(Path path) {
        String name = path.getName();
        return name.startsWith("_") || name.startsWith(".");
    }

    private static boolean isGlob(String input) {
        return input.matches(".*[*?\\[\\]{}\\\\].*");
    }

    /**
     * Walks with listStatus: Hadoop's listFiles builds a LocatedFileStatus per file, which on the local
     * file system forks a shell per file to read its permissions.
     */
    private static void addDirectory(FileSystem fs, Path dir, TreeMap<String, FileStatus> found, Set<String> hidden)
            throws IOException {
        for (FileStatus status : fs.listStatus(dir)) {
            if (isHidden(status.getPath())) {
                hidden.add(status.getPath() + (status.isDirectory() ? "/" : ""));
                continue;
            }
            if (status.isDirectory()) {
                addDirectory(fs, status.getPath(), found, hidden);
            } else {
                found.put(status.getPath().toString(), status);
            }
        }
    }
}
