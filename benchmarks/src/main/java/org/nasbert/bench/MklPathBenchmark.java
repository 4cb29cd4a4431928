package org.nasbert.bench;

import org.nasbert.engine.MklDispatch;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * MKL's code paths side by side: another benchmark ({@code teacher} or {@code block-step}) run in fresh JVMs,
 * alternately as shipped (NASBERT_MKL_DISPATCH=off: MKL's own choice, its generic path on AMD) and with the
 * project's dispatch (auto), and optionally with AVX2 forced (MKL_DEBUG_CPU_TYPE=5); each child's medians are
 * read from its output and the medians over children compared. MKL fixes its path once per process, so the
 * comparison needs a process per path.
 */
final class MklPathBenchmark {
    /** "block step 89.4 GFLOP/s", "(1403 tokens/s)", "ONNX Runtime 88.0 seq/s", "ratio 0.63". */
    private static final Pattern NUMBER = Pattern.compile(
            "(?:([A-Za-z][A-Za-z ]*) )?([0-9][0-9,]*\\.?[0-9]*) (GFLOP/s|seq/s|tokens/s)|(ratio) ([0-9]+\\.[0-9]+)");

    private MklPathBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        String bench = TokenizeBenchmark.stringArg(args, "--bench", "block-step");
        int runs = TokenizeBenchmark.intArg(args, "--runs", 3);
        String childRuns = TokenizeBenchmark.stringArg(args, "--child-runs", "3");
        boolean avx2 = Boolean.parseBoolean(TokenizeBenchmark.stringArg(args, "--avx2", "false"));
        Map<String, String[]> modes = new LinkedHashMap<>();
        modes.put("shipped", new String[]{MklDispatch.MODE_VARIABLE, "off"});
        modes.put("dispatch", new String[]{MklDispatch.MODE_VARIABLE, "auto"});
        if (avx2) {
            modes.put("avx2", new String[]{MklDispatch.CPU_TYPE_VARIABLE, "5"});
        }
        System.out.printf("MKL code paths: bench %s (--runs %s per child), %d children per path, interleaved%n", bench, childRuns, runs);
        Map<String, List<double[]>> results = new LinkedHashMap<>();
        List<String> labels = null;
        for (int r = 0; r < runs; r++) {
            for (Map.Entry<String, String[]> mode : modes.entrySet()) {
                Child child = run(bench, childRuns, mode.getValue());
                labels = child.labels;
                results.computeIfAbsent(mode.getKey(), k -> new ArrayList<>()).add(child.values);
                System.out.printf("  run %d %-8s %s: %s%n", r + 1, mode.getKey(), child.path, child.median);
            }
        }
        System.out.println("median over children (the children's own medians):");
        double[] base = medians(results.get("shipped"));
        for (Map.Entry<String, List<double[]>> e : results.entrySet()) {
            double[] m = medians(e.getValue());
            StringBuilder s = new StringBuilder();
            for (int i = 0; i < m.length; i++) {
                s.append(String.format(labels.get(i).equals("ratio") ? "%s%s %.2f (x%.2f)" : "%s%s %.1f (x%.2f)",
                        i == 0 ? "" : ", ", labels.get(i), m[i], m[i] / base[i]));
            }
            System.out.printf("  %-8s %s%n", e.getKey(), s);
        }
    }

    private static final class Child {
        String path = "?";
        String median = "";
        List<String> labels = new ArrayList<>();
        double[] values;
    }

    private static Child run(String bench, String childRuns, String[] env) throws Exception {
        List<String> command = new ArrayList<>(Arrays.asList(
                new File(System.getProperty("nasbert.home", "."), "bin/nasbert").getPath(), "bench", bench, "--runs", childRuns));
        if (bench.equals("block-step")) {
            command.addAll(Arrays.asList("--torch", "off"));
        }
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().remove(MklDispatch.CPU_TYPE_VARIABLE);
        pb.environment().remove(MklDispatch.MODE_VARIABLE);
        pb.environment().put(env[0], env[1]);
        Process p = pb.start();
        Child child = new Child();
        List<Double> values = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                Matcher path = Pattern.compile("code path (\\S+)").matcher(line);
                if (line.startsWith("machine:") && path.find()) {
                    child.path = path.group(1);
                }
                if (line.startsWith("median:")) {
                    child.median = line.substring("median:".length()).trim();
                    Matcher m = NUMBER.matcher(line);
                    while (m.find()) {
                        boolean ratio = m.group(4) != null;
                        values.add(Double.parseDouble((ratio ? m.group(5) : m.group(2)).replace(",", "")));
                        child.labels.add(ratio ? "ratio" : ((m.group(1) == null ? "" : m.group(1).trim() + " ") + m.group(3)));
                    }
                }
            }
        }
        if (p.waitFor() != 0 || values.isEmpty()) {
            throw new IllegalStateException("bin/nasbert bench " + bench + " with " + env[0] + "=" + env[1] + " failed or printed no median");
        }
        child.values = values.stream().mapToDouble(Double::doubleValue).toArray();
        return child;
    }

    private static double[] medians(List<double[]> runs) {
        double[] m = new double[runs.get(0).length];
        for (int i = 0; i < m.length; i++) {
            List<Double> column = new ArrayList<>();
            for (double[] run : runs) {
                column.add(run[i]);
            }
            m[i] = TokenizeBenchmark.median(column);
        }
        return m;
    }
}
