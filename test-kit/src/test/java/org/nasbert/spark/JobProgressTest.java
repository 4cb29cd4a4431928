package org.nasbert.spark;

import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.nasbert.Progress;
import org.nasbert.testing.LocalSpark;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The driver's progress lines for a stage's Spark jobs: only its own group's jobs, with counts, elapsed time and an ETA. */
class JobProgressTest {
    @Test
    void aLongJobOfTheStagesGroupIsReportedWhileItRuns() throws Exception {
        SparkContext sc = LocalSpark.session().sparkContext();
        List<String> lines = new CopyOnWriteArrayList<>();
        String before = System.getProperty(Progress.INTERVAL_PROPERTY);
        System.setProperty(Progress.INTERVAL_PROPERTY, "0");
        try (JobProgress ignored = JobProgress.watch(sc, "nasbert-test-stage", "test-stage", lines::add)) {
            sc.setJobGroup("nasbert-test-stage", "nasbert test-stage -> /nowhere", true);
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(sc);
            jsc.setJobDescription("nasbert test-stage: four slow tasks");
            long sum = jsc.parallelize(Arrays.asList(1, 2, 3, 4), 4).map(i -> {
                Thread.sleep(1200);
                return i;
            }).reduce(Integer::sum);
            assertEquals(10, sum);
            sc.setJobGroup("another-group", "not watched", true);
            jsc.parallelize(Arrays.asList(1, 2), 2).map(i -> {
                Thread.sleep(1200);
                return i;
            }).count();
        } finally {
            if (before == null) {
                System.clearProperty(Progress.INTERVAL_PROPERTY);
            } else {
                System.setProperty(Progress.INTERVAL_PROPERTY, before);
            }
            sc.clearJobGroup();
        }
        assertTrue(!lines.isEmpty(), "a 2.4 s job is seen at least once by a watcher that looks every 0.2 s");
        for (String line : lines) {
            assertTrue(line.startsWith("test-stage: nasbert test-stage: four slow tasks: ") && line.contains("/4 tasks done")
                    && line.contains(" elapsed, ETA "), line);
        }
    }

    @Test
    void theLineSaysHowFarAndHowLongIsLeft() {
        assertEquals("distill: nasbert distill: distil: 3/12 tasks done, 2 running, 1:30 elapsed, ETA about 4:30",
                JobProgress.line("distill", "nasbert distill: distil", 3, 12, 2, 90));
        assertEquals("teacher: job: 0/4 tasks done, 4 running, 0:05 elapsed, ETA not yet known",
                JobProgress.line("teacher", "job", 0, 4, 4, 5));
    }
}
