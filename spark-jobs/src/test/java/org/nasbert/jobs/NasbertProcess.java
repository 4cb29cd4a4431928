package org.nasbert.jobs;

import org.nasbert.testing.TestData;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** bin/nasbert as a child process of an integration test, in local mode, its stderr kept in a file of the test's directory. */
final class NasbertProcess {
    final Process process;
    private final Path log;

    private NasbertProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts {@code bin/nasbert args} in {@code dir} with {@code env} added (SPARK_HOME removed: no cluster). */
    static NasbertProcess start(Path dir, Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(new File(TestData.projectDir(), "bin/nasbert").getPath());
        command.addAll(Arrays.asList(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
        builder.environment().remove("SPARK_HOME");
        builder.environment().putAll(env);
        long id = System.nanoTime();
        Path err = dir.resolve("err-" + id);
        return new NasbertProcess(builder.redirectOutput(dir.resolve("out-" + id).toFile()).redirectError(err.toFile()).start(), err);
    }

    /** {@code base} followed by {@code more}: a command's fixed part and the arguments a test adds. */
    static String[] with(String[] base, String... more) {
        String[] all = Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    /** Waits for the command to succeed; returns its log (stderr). */
    String finish(int minutes) throws Exception {
        return finish(minutes, 0);
    }

    /** Waits for the command to end with {@code exitCode}; returns its log (stderr). */
    String finish(int minutes, int exitCode) throws Exception {
        assertTrue(process.waitFor(minutes, TimeUnit.MINUTES), "finished within " + minutes + " minutes");
        String text = new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
        assertEquals(exitCode, process.exitValue(), text);
        return text;
    }
}
