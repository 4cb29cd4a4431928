package org.nasbert.stage;

import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nasbert.NasbertException;
import org.nasbert.Progress;
import org.nasbert.conf.Setting;
import org.nasbert.conf.Settings;
import org.nasbert.io.StageOutput;
import org.nasbert.testing.LocalSpark;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nasbert.testing.Causes.messages;

/**
 * A stage whose job fails while another of its tasks is still training: the runner returns the failure only once that
 * task has stopped, and the task stopped at its next step (not at its end), so a rerun in the same JVM never meets it.
 */
class FailedStageTest {
    /** Steps of half a second: a cancelled task notices at the end of the one it is in. */
    private static final long STEP_MILLIS = 500;
    /** Far longer than the test waits for: a task that runs to its end shows up as a failure. */
    private static final long STEPS = 180;

    @TempDir
    Path temp;

    @Test
    void theRunnerReturnsAFailureOnlyOnceTheStagesOtherTasksHaveStopped() throws Exception {
        Path ended = temp.resolve("ended.txt");
        Settings settings = Settings.defaults().with("run.dir", temp.resolve("run").toString(), "test");
        long start = System.nanoTime();
        Exception e = assertThrows(Exception.class,
                () -> StageRunner.run(new OneTaskFails(ended.toString()), settings, LocalSpark.session(), false));
        double seconds = (System.nanoTime() - start) / 1e9;
        assertTrue(messages(e).contains("record 7 is bad"), messages(e));
        assertTrue(Files.exists(ended), "the training task had ended when the runner returned");
        assertEquals("org.nasbert.Cancelled", new String(Files.readAllBytes(ended), StandardCharsets.UTF_8),
                "it stopped at a step, cancelled");
        assertTrue(seconds < STEPS * STEP_MILLIS / 1000.0 / 2, "it did not train to its end: " + seconds + " s");
        assertFalse(Files.exists(temp.resolve("run/probe")), "nothing committed");
    }

    /**
     * Partition 0 fails once partition 1 has started (so a slow machine cannot cancel partition 1 before it runs);
     * partition 1 trains (steps of busy arithmetic) and records how it ended.
     */
    private static final class OneTaskFails implements Stage {
        private final String ended;

        OneTaskFails(String ended) {
            this.ended = ended;
        }

        @Override
        public String name() {
            return "probe";
        }

        @Override
        public String summary() {
            return "a job with one failing and one long task";
        }

        @Override
        public String output() {
            return "probe";
        }

        @Override
        public List<Setting<?>> settings() {
            return Collections.emptyList();
        }

        @Override
        public Manifest run(StageContext context, StageOutput output) {
            String marker = ended;
            new JavaSparkContext(context.spark().sparkContext()).parallelize(Arrays.asList(0, 1), 2).foreach(p -> {
                java.nio.file.Path started = Paths.get(marker + ".started");
                if (p == 0) {
                    for (long deadline = System.nanoTime() + 60_000_000_000L; !Files.exists(started) && System.nanoTime() < deadline; ) {
                        Thread.sleep(10);
                    }
                    throw new NasbertException("record 7 is bad");
                }
                Files.createFile(started);
                String how = "ran to its end";
                try {
                    Progress progress = Progress.of("training", STEPS, "steps");
                    for (long step = 0; step < STEPS; step++) {
                        spin(STEP_MILLIS);
                        progress.advance(1);
                    }
                } catch (RuntimeException stopped) {
                    how = stopped.getClass().getName();
                    throw stopped;
                } finally {
                    Files.write(Paths.get(marker), how.getBytes(StandardCharsets.UTF_8));
                }
            });
            return new ProbeManifest();
        }

        @Override
        public Class<? extends Manifest> manifestType() {
            return ProbeManifest.class;
        }

        /** Busy for {@code millis}, without sleeping (a sleep would notice an interrupt by itself). */
        private static void spin(long millis) {
            long until = System.nanoTime() + millis * 1_000_000;
            while (System.nanoTime() < until) {
                // busy
            }
        }
    }

    static final class ProbeManifest extends Manifest {
        @Override
        public String headline(String output) {
            return output;
        }
    }

}
