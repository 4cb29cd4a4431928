package org.nasbert.io;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.nasbert.NasbertException;

import java.io.File;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;

/**
 * Opens a model or vocabulary file named in the settings. Three forms:
 * <ul>
 *   <li>a path on any Hadoop file system: {@code /data/vocab.txt}, {@code hdfs://nn/models/vocab.txt};</li>
 *   <li>an entry inside a jar or zip on such a path: {@code /models/bert.jar!/assets/vocab.txt};</li>
 *   <li>an entry inside a Maven artifact that the build resolved into the local repository:
 *       {@code maven:group:artifact:version[:classifier]!/entry}. The local repository is
 *       {@code -Dmaven.repo.local}, else {@code <localRepository>} of ~/.m2/settings.xml, else ~/.m2/repository.</li>
 * </ul>
 * Nothing is downloaded: a missing artifact is an error that says how to fetch it.
 */
public final class ResourceLocator {
    private static final Pattern MAVEN = Pattern.compile("maven:([^:!]+):([^:!]+):([^:!]+)(?::([^:!]+))?(?:!/?(.+))?");

    private final Configuration hadoopConf;

    public ResourceLocator(Configuration hadoopConf) {
        this.hadoopConf = hadoopConf;
    }

    /** The bytes of {@code location}; the caller closes the stream. */
    public InputStream open(String location) {
        try {
            Matcher maven = MAVEN.matcher(location);
            if (location.startsWith("maven:")) {
                if (!maven.matches()) {
                    throw new NasbertException("'" + location + "' is not a Maven reference; expected "
                            + "maven:group:artifact:version[:classifier]!/entry");
                }
                File jar = mavenArtifact(maven.group(1), maven.group(2), maven.group(3), maven.group(4));
                String entry = maven.group(5);
                if (entry == null) {
                    throw new NasbertException("'" + location + "' names no entry inside the artifact; add !/path/inside");
                }
                return openLocalZipEntry(jar, entry, location);
            }
            int bang = location.indexOf("!/");
            if (bang > 0) {
                return openZipEntry(new Path(location.substring(0, bang)), location.substring(bang + 2), location);
            }
            Path path = new Path(location);
            FileSystem fs = path.getFileSystem(hadoopConf);
            if (!fs.exists(path)) {
                throw new NasbertException("'" + location + "' does not exist");
            }
            if (fs.getFileStatus(path).isDirectory()) {
                throw new NasbertException("'" + location + "' is a directory; expected a file");
            }
            return fs.open(path);
        } catch (IOException e) {
            throw new NasbertException("cannot read '" + location + "': " + e.getMessage(), e);
        }
    }

    private InputStream openZipEntry(Path archive, String entry, String location) throws IOException {
        FileSystem fs = archive.getFileSystem(hadoopConf);
        if (!fs.exists(archive)) {
            throw new NasbertException("'" + location + "': archive " + archive + " does not exist");
        }
        if (fs instanceof LocalFileSystem) {
            return openLocalZipEntry(new File(archive.toUri().getPath()), entry, location);
        }
        ZipInputStream zip = new ZipInputStream(fs.open(archive));
        for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
            if (e.getName().equals(entry)) {
                return zip;
            }
        }
        zip.close();
        throw new NasbertException("'" + location + "': no entry '" + entry + "' in " + archive);
    }

    private static InputStream openLocalZipEntry(File archive, String entry, String location) throws IOException {
        ZipFile zip;
        try {
            zip = new ZipFile(archive);
        } catch (IOException e) {
            throw new NasbertException("'" + location + "': " + archive + " is not a readable jar/zip: " + e.getMessage(), e);
        }
        ZipEntry found = zip.getEntry(entry);
        if (found == null || found.isDirectory()) {
            zip.close();
            throw new NasbertException("'" + location + "': no file entry '" + entry + "' in " + archive);
        }
        return new FilterInputStream(zip.getInputStream(found)) {
            @Override
            public void close() throws IOException {
                try {
                    super.close();
                } finally {
                    zip.close();
                }
            }
        };
    }

    /** The artifact's file in the local Maven repository. */
    public static File mavenArtifact(String group, String artifact, String version, String classifier) {
        File repo = localRepository();
        String name = artifact + "-" + version + (classifier == null ? "" : "-" + classifier) + ".jar";
        File file = new File(repo, group.replace('.', '/') + "/" + artifact + "/" + version + "/" + name);
        if (!file.isFile()) {
            throw new NasbertException("Maven artifact " + group + ":" + artifact + ":" + version
                    + " is not in the local repository (" + file + "); fetch it with "
                    + "'mvn dependency:get -Dartifact=" + group + ":" + artifact + ":" + version
                    + (classifier == null ? "" : ":jar:" + classifier) + "' or name a file path instead");
        }
        return file;
    }

    static File localRepository() {
        String property = System.getProperty("maven.repo.local");
        if (property != null && !property.isEmpty()) {
            return new File(property);
        }
        File home = new File(System.getProperty("user.home"));
        File settings = new File(home, ".m2/settings.xml");
        if (settings.isFile()) {
            try {
                String xml = new String(Files.readAllBytes(settings.toPath()), StandardCharsets.UTF_8);
                Matcher m = Pattern.compile("<localRepository>\\s*([^<]+?)\\s*</localRepository>").matcher(xml);
                if (m.find()) {
                    return new File(m.group(1).replace("${user.home}", home.getPath()));
                }
            } catch (IOException e) {
                throw new NasbertException("cannot read " + settings + ": " + e.getMessage(), e);
            }
        }
        return new File(home, ".m2/repository");
    }

}
