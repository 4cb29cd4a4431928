package org.nasbert.probe;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nasbert.latency.LatencyEngine;
import org.nasbert.latency.LatencyTable;
import org.nasbert.search.ArchitectureSearch;
import org.nasbert.search.Constraint;
import org.nasbert.space.Architecture;
import org.nasbert.space.BlockPath;
import org.nasbert.space.SearchSpace;
import org.nasbert.space.StudentSize;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The probe as a user runs it on a serving machine: the packaged jar under a plain {@code java -jar}, with nothing else
 * on the classpath (no Spark, Hadoop or BigDL); its table covers the space, says how it was timed, imports and drives
 * the search; bad input stops it with one line and exit status 2, nothing written.
 */
class LatencyProbeIT {
    private static final Path JAR = Paths.get("target", "nasbert-latency-probe.jar");
    private static final SearchSpace SPACE = new SearchSpace(new int[]{64, 128}, new int[]{3}, 2, 4);
    private static Path dir;
    private static Path settings;

    @BeforeAll
    static void settingsFile() throws IOException {
        dir = Files.createTempDirectory("probe-it");
        settings = dir.resolve("edge.properties");
        Files.write(settings, Arrays.asList("supernet.hidden-sizes = 64,128", "supernet.kernels = 3", "supernet.layers-per-block = 2",
                "latency.runs = 5", "search.embedding-size = 0"), StandardCharsets.UTF_8);
    }

    @AfterAll
    static void removeFiles() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    @Test
    void isSmallAndCarriesNeitherSparkNorHadoopNorBigDl() throws IOException {
        assertTrue(Files.size(JAR) < 60L << 20, "probe jar is " + Files.size(JAR) + " bytes");
        try (JarFile jar = new JarFile(JAR.toFile())) {
            List<String> foreign = jar.stream().map(e -> e.getName())
                    .filter(n -> n.startsWith("org/apache/spark/") || n.startsWith("org/apache/hadoop/") || n.startsWith("com/intel/")
                            || n.startsWith("scala/"))
                    .limit(3).collect(Collectors.toList());
            assertEquals(Collections.emptyList(), foreign);
        }
    }

    @Test
    void measuresTheSpaceAndItsTableDrivesTheSearch() throws Exception {
        Path out = dir.resolve("edge-table.json");
        Result r = probe("--space", settings.toString(), "--out", out.toString(), "--threads", "1");
        assertEquals(0, r.status, r.output);
        LatencyTable table = LatencyTable.fromJson(new String(Files.readAllBytes(out), StandardCharsets.UTF_8), out.toString());
        assertEquals(Collections.emptyList(), table.missing(SPACE, StudentSize.BLOCK_0));
        assertEquals(LatencyEngine.ONNXRUNTIME, table.engine());
        assertEquals("1.20.0", table.conditions().get("engine_version"));
        assertEquals("1", table.conditions().get("threads"));
        assertEquals("128", table.conditions().get("sequence_length"));
        assertTrue(table.parts().containsKey(LatencyTable.RUN), table.parts().keySet().toString());
        // wider ops cost more in any engine: a check that the parts are what their names say
        assertTrue(table.median("ffn@128") > table.median("ffn@64"), table.toJson());

        // the imported table drives the search: every proposal fits a budget between the cheapest and dearest student
        Random random = new Random(1);
        List<List<ArchitectureSearch.Scored>> blocks = new ArrayList<>();
        for (int n = 0; n < 2; n++) {
            List<ArchitectureSearch.Scored> list = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                BlockPath p = SPACE.sample(random);
                list.add(new ArchitectureSearch.Scored(p, 1.0 / (1 + p.parameters(4) / 1e5) + 0.01 * random.nextDouble()));
            }
            blocks.add(list);
        }
        StudentSize size = new StudentSize(30522, 512, 2, 4, 0);
        ArchitectureSearch search = new ArchitectureSearch(blocks, size, Collections.singletonMap("edge", table), 128);
        double[] predicted = blocks.get(0).stream().flatMap(a -> blocks.get(1).stream()
                .map(b -> table.predictMs(new Architecture(Arrays.asList(a.path, b.path))))).mapToDouble(Double::doubleValue).sorted().toArray();
        double budget = predicted[predicted.length / 2];
        List<ArchitectureSearch.Proposal> top = search.top(Constraint.parse(String.format("latency@edge=%.6fms", budget), "test"), 5);
        assertFalse(top.isEmpty());
        for (ArchitectureSearch.Proposal p : top) {
            assertTrue(p.latencyMs <= budget + 1e-6, p.latencyMs + " > " + budget);
        }
    }

    @Test
    void badInputStopsWithOneLineAndWritesNothing() throws Exception {
        Path out = dir.resolve("never.json");
        String[][] cases = {
                {"--space", settings.toString(), "--out", out.toString(), "--threads", "0"},
                {"--space", settings.toString(), "--out", out.toString(), "--engine", "bigdl"},
                {"--space", dir.resolve("missing.json").toString(), "--out", out.toString()},
                {"--out", out.toString()},
        };
        String[] expected = {"--threads", "ONNX Runtime only", "no such file", "--space and --out are needed"};
        for (int i = 0; i < cases.length; i++) {
            Result r = probe(cases[i]);
            assertEquals(2, r.status, r.output);
            assertTrue(r.output.contains(expected[i]), r.output);
            assertFalse(Files.exists(out));
        }
    }

    private static final class Result {
        final int status;
        final String output;

        Result(int status, String output) {
            this.status = status;
            this.output = output;
        }
    }

    /** {@code java -jar} in a fresh JVM with an empty environment classpath. */
    private static Result probe(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(Arrays.asList(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-jar", JAR.toString()));
        command.addAll(Arrays.asList(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().remove("CLASSPATH");
        File log = Files.createTempFile(dir, "probe", ".log").toFile();
        pb.redirectOutput(log);
        int status = pb.start().waitFor();
        return new Result(status, new String(Files.readAllBytes(log.toPath()), StandardCharsets.UTF_8));
    }
}
