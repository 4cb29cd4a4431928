package org.nasbert.io;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nasbert.Cancelled;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Checkpoints appear whole, replace the older ones, and a cancelled task replaces nothing. */
class StepCheckpointsTest {
    @TempDir
    java.nio.file.Path temp;

    @Test
    void aCommittedCheckpointReplacesTheOlderOnesButNotFromACancelledTask() throws Exception {
        FileSystem fs = FileSystem.getLocal(new Configuration());
        Path dir = new Path(temp.toUri());
        StepCheckpoints.commit(fs, dir, StepCheckpoints.begin(fs, dir, 5), 5);
        Path ten = StepCheckpoints.begin(fs, dir, 10);
        assertEquals(5, StepCheckpoints.latestStep(fs, dir), "a checkpoint being written is not one yet");
        StepCheckpoints.commit(fs, dir, ten, 10);
        assertEquals(10, StepCheckpoints.latestStep(fs, dir));
        assertFalse(fs.exists(new Path(dir, "step-00000005")), "the older one is removed");

        Path fifteen = StepCheckpoints.begin(fs, dir, 15);
        Thread.currentThread().interrupt(); // Spark cancelled this task: its rerun may be reading step 10
        try {
            assertThrows(Cancelled.class, () -> StepCheckpoints.commit(fs, dir, fifteen, 15));
        } finally {
            Thread.interrupted();
        }
        assertEquals(10, StepCheckpoints.latestStep(fs, dir));
        assertTrue(fs.exists(new Path(dir, "step-00000010")), "step 10 is still there to be read");
    }
}
