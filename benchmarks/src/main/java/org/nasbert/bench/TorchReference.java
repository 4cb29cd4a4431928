package org.nasbert.bench;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Runs benchmarks/python/torch_block_step.py (the same block step in PyTorch) after the Java measurement and prints
 * its line beside ours. Debian's python3-torch; its BLAS is whatever libblas.so.3 points to, so install
 * libopenblas0-pthread first (Debian's reference BLAS is ~20x slower and would make the comparison meaningless).
 */
final class TorchReference {
    private TorchReference() {
    }

    static void run(String python, int hidden, int teacher, int batch, int seq, int runs) {
        String last = script(python, "torch_block_step.py", "--hidden", "" + hidden, "--teacher-hidden", "" + teacher, "--batch",
                "" + batch, "--seq", "" + seq, "--runs", "" + runs);
        if (last != null) {
            System.out.println("PyTorch reference, same path, batch and thread count (its own sgemm): " + last);
        }
    }

    /**
     * One run of benchmarks/python/torch_distill_step.py: PyTorch's tokens/s for distill's step on this student, or null
     * (with the reason printed) when it cannot run; {@code echo}: print its line (weights, version, threads).
     */
    static Double distillStep(String python, String architecture, int embedding, int teacher, int batch, int seq, int steps, boolean echo)
            throws IOException {
        String last = script(python, "torch_distill_step.py", "--architecture", architecture, "--embedding", "" + embedding,
                "--teacher-hidden", "" + teacher, "--batch", "" + batch, "--seq", "" + seq, "--steps", "" + steps);
        if (last == null) {
            return null;
        }
        if (echo) {
            System.out.println("  PyTorch: " + last);
        }
        return org.nasbert.io.Json.MAPPER.readTree(last).path("tokens_per_s").asDouble();
    }

    /** Runs benchmarks/python/NAME on one BLAS/OpenMP thread; its last line (JSON), or null with the reason printed. */
    private static String script(String python, String name, String... args) {
        if ("off".equals(python)) {
            return null;
        }
        File script = new File(System.getProperty("nasbert.home", "."), "benchmarks/python/" + name);
        List<String> command = new java.util.ArrayList<>(Arrays.asList(python, script.getPath()));
        command.addAll(Arrays.asList(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("OPENBLAS_NUM_THREADS", "1");
        builder.environment().put("OMP_NUM_THREADS", "1");
        try {
            Process process = builder.start();
            String last = null;
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    last = line;
                }
            }
            if (process.waitFor() != 0 || last == null || !last.startsWith("{")) {
                System.out.println("PyTorch reference: not run (" + String.join(" ", command) + " said: " + last
                        + "; apt-get install python3-torch libopenblas0-pthread, or --torch off)");
                return null;
            }
            return last;
        } catch (IOException e) {
            System.out.println("PyTorch reference: not run (" + e.getMessage() + "; --torch <python3 with torch>)");
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
