package org.nasbert.io;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.nasbert.NasbertException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.time.Instant;

/**
 * One command at a time on a run directory: {@code <run>/_lock} names who holds it (user, host, process, Spark
 * application, start time) and is touched every {@link #HEARTBEAT_SECONDS}. A second command is refused with those
 * names. A lock its holder left behind does not block forever: it is taken over when its process is gone (same host),
 * when it belongs to an earlier attempt of the same YARN application, or when its heartbeat is older than
 * {@link #STALE_SECONDS}.
 */
public final class RunLock implements AutoCloseable {
    public static final String FILE = "_lock";
    static final int HEARTBEAT_SECONDS = 15;
    static final int STALE_SECONDS = 90;
    private static final Logger LOG = LoggerFactory.getLogger(RunLock.class);
    private final FileSystem fs;
    private final Path file;
    private final Thread heartbeat;

    /** Who holds a lock, as {@code _lock} records it. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public static final class Holder {
        public String user;
        public String host;
        public long pid;
        /** The Spark application (the same id across a YARN application's attempts), or empty. */
        public String application = "";
        public String command;
        public String started;

        static Holder me(String command, String application) {
            Holder h = new Holder();
            String[] pidAtHost = ManagementFactory.getRuntimeMXBean().getName().split("@", 2);
            h.user = System.getProperty("user.name");
            h.pid = Long.parseLong(pidAtHost[0]);
            h.host = pidAtHost.length > 1 ? pidAtHost[1] : "unknown";
            h.application = application == null ? "" : application;
            h.command = command;
            h.started = Instant.now().toString();
            return h;
        }

        @Override
        public String toString() {
            return "'" + command + "' by " + user + " on " + host + " (process " + pid
                    + (application.isEmpty() ? "" : ", " + application) + "), started " + started;
        }
    }

    private RunLock(FileSystem fs, Path file) {
        this.fs = fs;
        this.file = file;
        this.heartbeat = new Thread(this::beat, "nasbert-run-lock");
        heartbeat.setDaemon(true);
    }

    /** Takes the lock of {@code run} for {@code command}, or refuses naming who holds it. */
    public static RunLock acquire(FileSystem fs, Path run, String command, String application) throws IOException {
        Path file = new Path(run, FILE);
        Holder me = Holder.me(command, application);
        fs.mkdirs(run);
        if (!create(fs, file, me)) {
            Holder other = read(fs, file);
            String stale = other == null ? "unreadable" : staleReason(fs, file, other, me);
            if (stale == null) {
                throw new NasbertException("run directory " + run + " is in use by " + other + "; wait for it to finish, "
                        + "or if that command is gone delete " + file);
            }
            LOG.warn("taking over the lock of {} ({}): {}", run, stale, other);
            fs.delete(file, false);
            if (!create(fs, file, me)) {
                throw new NasbertException("run directory " + run + " was taken by another command at the same moment: " + read(fs, file));
            }
        }
        RunLock lock = new RunLock(fs, file);
        lock.heartbeat.start();
        return lock;
    }

    private static boolean create(FileSystem fs, Path file, Holder me) throws IOException {
        try (FSDataOutputStream out = fs.create(file, false)) {
            out.write(Json.MAPPER.writeValueAsBytes(me));
            return true;
        } catch (org.apache.hadoop.fs.FileAlreadyExistsException e) {
            return false;
        } catch (IOException e) {
            if (fs.exists(file)) { // the local file system says only "File already exists"
                return false;
            }
            throw e;
        }
    }

    static Holder read(FileSystem fs, Path file) {
        try (InputStream in = fs.open(file)) {
            return Json.MAPPER.readValue(in, Holder.class);
        } catch (IOException e) { // gone, or written half by a holder that died: unreadable either way
            return null;
        }
    }

    /** Why {@code other}'s lock no longer holds, or null when it does. */
    static String staleReason(FileSystem fs, Path file, Holder other, Holder me) throws IOException {
        if (!other.application.isEmpty() && other.application.equals(me.application)) {
            return "an earlier attempt of this application";
        }
        if (other.host.equals(me.host) && new File("/proc").isDirectory() && !new File("/proc/" + other.pid).exists()) {
            return "its process is gone";
        }
        FileStatus status = fs.getFileStatus(file);
        long age = (System.currentTimeMillis() - status.getModificationTime()) / 1000;
        return age > STALE_SECONDS ? "no heartbeat for " + age + " s" : null;
    }

    private void beat() {
        while (true) {
            try {
                Thread.sleep(HEARTBEAT_SECONDS * 1000L);
                fs.setTimes(file, System.currentTimeMillis(), -1);
            } catch (InterruptedException e) {
                return;
            } catch (IOException e) {
                LOG.warn("cannot refresh the run lock {}: {}", file, e.getMessage());
            }
        }
    }

    @Override
    public void close() throws IOException {
        heartbeat.interrupt();
        fs.delete(file, false);
    }
}
