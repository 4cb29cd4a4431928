package org.nasbert.stage;

import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkException;
import org.junit.jupiter.api.Test;
import org.nasbert.NasbertException;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A stage that failed in Spark says the root cause in one line, as Spark's texts and exception chains carry it. */
class FailuresTest {
    /** What Spark 2.4 wrote when a task ran out of disk (seen on a 60 MB file system). */
    private static final String DISK_FULL = "Job aborted due to stage failure: Task 0 in stage 2.0 failed 1 times, most recent "
            + "failure: Lost task 0.0 in stage 2.0 (TID 4, localhost, executor driver): java.io.IOException: No space left on device\n"
            + "\tat java.io.FileOutputStream.writeBytes(Native Method)\n\tat java.io.FileOutputStream.write(FileOutputStream.java:326)\n"
            + "\nDriver stacktrace:";

    @Test
    void theTaskFailureSparkReportsAsTextIsTheLine() {
        assertEquals("IOException: No space left on device", Failures.rootCause(new SparkException(DISK_FULL)));
        String parquet = "Job aborted due to stage failure: Task 0 in stage 0.0 failed 1 times, most recent failure: Lost task 0.0 "
                + "in stage 0.0 (TID 0, localhost, executor driver): org.apache.spark.SparkException: Task failed while reading.\n"
                + "\tat org.apache.spark.rdd.RDD.x(RDD.scala:1)\nCaused by: org.apache.hadoop.fs.ChecksumException: Checksum error: "
                + "file:/r/teacher/data/part-00000.parquet at 1048576 exp: 1 got: 2\n\tat org.apache.hadoop.fs.FSInputChecker.x(F.java:1)";
        assertEquals("ChecksumException: Checksum error: file:/r/teacher/data/part-00000.parquet at 1048576 exp: 1 got: 2",
                Failures.rootCause(new SparkException(parquet)));
    }

    @Test
    void anExceptionChainGivesItsInnermostCause() {
        Exception chain = new SparkException("Job aborted.", new RuntimeException("wrapped", new IOException("Quota exceeded\nmore")));
        assertEquals("IOException: Quota exceeded", Failures.rootCause(chain));
        assertEquals("teacher failed while writing file:/r/teacher: IOException: Quota exceeded",
                Failures.oneLine("teacher", new Path("file:/r/teacher"), chain));
    }

    @Test
    void onlyFailuresOfSparkOrTheFileSystemAreRewritten() {
        assertTrue(Failures.fromTheEnvironment(new SparkException(DISK_FULL)));
        assertTrue(Failures.fromTheEnvironment(new IOException("disk")));
        assertFalse(Failures.fromTheEnvironment(new SparkException("task", new NasbertException("tokenize.input: no files"))),
                "the project's own message already says what is wrong");
        assertFalse(Failures.fromTheEnvironment(new IllegalStateException("a bug")));
        assertFalse(Failures.fromTheEnvironment(new SparkException("Lost task: java.lang.OutOfMemoryError: Java heap space")),
                "the launcher names the memory settings to raise");
    }
}
