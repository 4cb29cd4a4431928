package org.nasbert.stage;

import org.apache.hadoop.fs.Path;

import java.io.IOException;

/**
 * The one line a stage that failed in Spark or on a file system prints: the root cause (the innermost exception and
 * the first line of its message: "No space left on device", "Checksum error: file:/..."), not Spark's wrapper ("Job
 * aborted due to stage failure: Task 0 in stage 0.0 failed ..."), and the output the stage was writing.
 */
final class Failures {
    private static final String LOST_TASK = "most recent failure: ";

    private Failures() {
    }

    /**
     * Whether {@code t} comes from Spark or a file system: not from a check of the project's own (a NasbertException
     * anywhere in the chain already says what is wrong), not an out-of-memory error (the launcher says what to raise).
     */
    static boolean fromTheEnvironment(Throwable t) {
        if (!(t instanceof Exception) || outOfMemory(t)) {
            return false;
        }
        boolean environment = false;
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof org.nasbert.NasbertException) {
                return false;
            }
            environment |= c instanceof IOException || c.getClass().getName().equals("org.apache.spark.SparkException");
        }
        return environment;
    }

    static boolean outOfMemory(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof OutOfMemoryError || String.valueOf(c.getMessage()).contains("java.lang.OutOfMemoryError")) {
                return true;
            }
        }
        return false;
    }

    static String oneLine(String stage, Path writing, Throwable t) {
        return stage + " failed while writing " + writing + ": " + rootCause(t);
    }

    /**
     * The innermost exception as "Class: first line"; when Spark could only report a task's failure as text, the
     * exception named after "most recent failure: Lost task ...:" (or its last "Caused by:").
     */
    static String rootCause(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = String.valueOf(root.getMessage());
        if (root.getClass().getName().equals("org.apache.spark.SparkException") && message.contains(LOST_TASK)) {
            return fromSparkText(message);
        }
        String first = firstLine(message);
        return root.getClass().getSimpleName() + (root.getMessage() == null || first.isEmpty() ? "" : ": " + first);
    }

    private static String fromSparkText(String message) {
        String cause = null;
        for (String line : message.split("\n")) {
            String l = line.trim();
            if (l.startsWith("Caused by: ")) {
                cause = l.substring("Caused by: ".length());
            }
        }
        if (cause == null) {
            String lost = firstLine(message.substring(message.indexOf(LOST_TASK) + LOST_TASK.length()));
            int colon = lost.indexOf("): "); // "Lost task 0.0 in stage 1.0 (TID 3, host, executor 1): java.io...: ..."
            cause = colon >= 0 ? lost.substring(colon + 3) : lost;
        }
        return shortClassName(cause);
    }

    /** "java.io.IOException: x" as "IOException: x". */
    private static String shortClassName(String text) {
        int colon = text.indexOf(':');
        String name = colon < 0 ? text : text.substring(0, colon);
        if (name.matches("([a-z_$][\\w$]*\\.)+[A-Z][\\w$]*")) {
            return name.substring(name.lastIndexOf('.') + 1) + (colon < 0 ? "" : text.substring(colon));
        }
        return text;
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).trim();
    }
}
