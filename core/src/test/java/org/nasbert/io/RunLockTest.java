package org.nasbert.io;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nasbert.NasbertException;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One command at a time on a run directory; a lock its holder left behind does not block forever. */
class RunLockTest {
    @TempDir
    java.nio.file.Path temp;

    private FileSystem fs() throws IOException {
        return FileSystem.getLocal(new Configuration());
    }

    @Test
    void aSecondCommandIsRefusedWithTheFirstOnesOwnerHostAndStart() throws Exception {
        Path run = new Path(temp.toUri().toString(), "run");
        try (RunLock first = RunLock.acquire(fs(), run, "pipeline", "app-1")) {
            RunLock.Holder holder = RunLock.read(fs(), new Path(run, RunLock.FILE));
            NasbertException e = assertThrows(NasbertException.class, () -> RunLock.acquire(fs(), run, "distill", "app-2"));
            assertTrue(e.getMessage().startsWith("run directory " + run + " is in use by 'pipeline' by " + System.getProperty("user.name")
                    + " on " + holder.host + " (process " + holder.pid + ", app-1), started " + holder.started), e.getMessage());
            assertTrue(e.getMessage().contains("delete " + new Path(run, RunLock.FILE)), e.getMessage());
        }
        assertFalse(fs().exists(new Path(run, RunLock.FILE)), "released at the end");
        RunLock.acquire(fs(), run, "distill", "app-2").close();
    }

    @Test
    void aLockLeftBehindIsTakenOver() throws Exception {
        Path run = new Path(temp.toUri().toString(), "run");
        Path file = new Path(run, RunLock.FILE);
        // YARN's second attempt of the same application
        RunLock attempt1 = RunLock.acquire(fs(), run, "train-blocks", "application_1_0001");
        RunLock.acquire(fs(), run, "train-blocks", "application_1_0001").close();
        attempt1.close();
        // a process of this host that is gone
        RunLock.Holder me = RunLock.Holder.me("x", "");
        write(file, "{\"user\":\"u\",\"host\":\"" + me.host + "\",\"pid\":999999999,\"application\":\"\",\"command\":\"demo\"}");
        RunLock.acquire(fs(), run, "demo", "app-3").close();
        // another host's lock: held while it beats, taken over when the beat stops
        write(file, "{\"user\":\"u\",\"host\":\"elsewhere\",\"pid\":1,\"application\":\"app-9\",\"command\":\"demo\"}");
        assertThrows(NasbertException.class, () -> RunLock.acquire(fs(), run, "demo", "app-4"));
        fs().setTimes(file, System.currentTimeMillis() - (RunLock.STALE_SECONDS + 60) * 1000L, -1);
        RunLock.acquire(fs(), run, "demo", "app-4").close();
        assertFalse(fs().exists(file));
    }

    private void write(Path file, String json) throws IOException {
        fs().delete(file, false);
        try (FSDataOutputStream out = fs().create(file, false)) {
            out.write(json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        assertEquals(json.length(), fs().getFileStatus(file).getLen());
    }
}
