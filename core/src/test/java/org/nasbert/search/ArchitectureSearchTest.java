package org.nasbert.search;

import org.junit.jupiter.api.Test;
import org.nasbert.latency.LatencyTable;
import org.nasbert.nn.BertEmbeddings;
import org.nasbert.nn.Dense;
import org.nasbert.nn.Init;
import org.nasbert.nn.LayerNorm;
import org.nasbert.space.Architecture;
import org.nasbert.space.BlockPath;
import org.nasbert.space.Op;
import org.nasbert.space.SearchSpace;
import org.nasbert.space.StudentSize;
import org.nasbert.supernet.OpModules;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Whole-student selection: against brute force over every combination, with the student's parameters counted
 * from real modules and latency summed by the table, embeddings, projections and head included.
 */
class ArchitectureSearchTest {
    private static final SearchSpace SPACE = new SearchSpace(new int[]{64, 128}, new int[]{3}, 2, 4);
    private static final StudentSize SIZE = new StudentSize(1000, 64, 2, 4);

    /** Parts in binary fractions of a millisecond, so nanosecond sums are exact. */
    private static LatencyTable table(Random random) {
        Map<String, LatencyTable.Timing> parts = new HashMap<>();
        for (int h : SPACE.hiddenSizes()) {
            for (Op op : SPACE.operations()) {
                parts.put(LatencyTable.op(op, h), timing(random));
            }
            parts.put(LatencyTable.head(h), timing(random));
            for (int to : SPACE.hiddenSizes()) {
                if (to != h) {
                    parts.put(LatencyTable.projection(h, to), timing(random));
                }
            }
        }
        for (int e : new int[]{32, 64, 96, 128}) {
            parts.put(LatencyTable.embeddings(e), timing(random));
            for (int to : SPACE.hiddenSizes()) {
                if (to != e) {
                    parts.put(LatencyTable.projection(e, to), timing(random));
                }
            }
        }
        return new LatencyTable(Collections.emptyMap(), parts);
    }

    /** Embedding sizes the instances draw from: block 0's width, one of the space's widths, two outside it. */
    private static final int[] EMBEDDING_SIZES = {StudentSize.BLOCK_0, 32, 64, 96};

    /** The student's latency added up here from the table's parts, independently of LatencyTable.predictMs. */
    private static double sumOfParts(LatencyTable table, Architecture a, int embeddingSize) {
        int h0 = a.blocks().get(0).hidden();
        int previous = embeddingSize == StudentSize.BLOCK_0 ? h0 : embeddingSize;
        double ms = table.parts().get("embeddings@" + previous).medianMs;
        for (BlockPath b : a.blocks()) {
            ms += b.hidden() != previous ? table.parts().get("projection@" + previous + "->" + b.hidden()).medianMs : 0;
            for (Op op : b.ops()) {
                ms += op.isIdentity() ? 0 : table.parts().get(op + "@" + b.hidden()).medianMs;
            }
            previous = b.hidden();
        }
        return ms + table.parts().get("head@" + previous).medianMs;
    }

    private static LatencyTable.Timing timing(Random random) {
        double ms = (1 + random.nextInt(32)) / 64.0;
        return new LatencyTable.Timing(ms, ms, ms, 1);
    }

    @Test
    void theTopStudentsEqualBruteForceUnderParameterAndLatencyLimitsForEveryEmbeddingSize() {
        Random random = new Random(7);
        List<BlockPath> paths = SPACE.enumerate();
        int checked = 0;
        for (int instance = 0; instance < 60; instance++) {
            LatencyTable table = table(random);
            List<List<ArchitectureSearch.Scored>> blocks = new ArrayList<>();
            for (int n = 0; n < 3; n++) {
                List<ArchitectureSearch.Scored> list = new ArrayList<>();
                for (BlockPath p : paths) {
                    if (random.nextInt(3) == 0) {
                        list.add(new ArchitectureSearch.Scored(p, random.nextInt(50) / 8.0));
                    }
                }
                if (list.isEmpty()) {
                    list.add(new ArchitectureSearch.Scored(paths.get(0), 1));
                }
                blocks.add(list);
            }
            List<Architecture> all = all(blocks);
            int embeddingSize = EMBEDDING_SIZES[instance % EMBEDDING_SIZES.length];
            long maxParams = 130_000 + random.nextInt(200_000);
            double maxMs = 0.5 + random.nextInt(64) / 32.0;
            Constraint c = new Constraint("test", random.nextBoolean() ? maxParams : Constraint.NONE,
                    random.nextBoolean() ? Math.round(maxMs * 1e6) : Constraint.NONE);
            List<Double> expected = new ArrayList<>();
            Map<Architecture, Double> loss = new HashMap<>();
            for (Architecture a : all) {
                double l = 0;
                for (int n = 0; n < 3; n++) {
                    for (ArchitectureSearch.Scored s : blocks.get(n)) {
                        l += s.path.equals(a.blocks().get(n)) ? s.loss : 0;
                    }
                }
                loss.put(a, l);
                boolean fits = (c.maxParameters() == Constraint.NONE || moduleParameters(a, embeddingSize) <= c.maxParameters())
                        && (c.maxLatencyNs() == Constraint.NONE || sumOfParts(table, a, embeddingSize) <= c.maxLatencyNs() / 1e6);
                if (fits) {
                    expected.add(l);
                }
            }
            expected.sort(Double::compare);
            int t = 1 + random.nextInt(20);
            List<ArchitectureSearch.Proposal> got = new ArchitectureSearch(blocks, SIZE.withEmbeddingSize(embeddingSize), table, 128)
                    .top(c, t);
            String where = "instance " + instance + ", embedding size " + embeddingSize;
            assertEquals(Math.min(t, expected.size()), got.size(), where);
            HashSet<Architecture> distinct = new HashSet<>();
            for (int i = 0; i < got.size(); i++) {
                ArchitectureSearch.Proposal p = got.get(i);
                assertEquals(expected.get(i), p.predictedLoss, 1e-9, where + " rank " + i);
                assertEquals(loss.get(p.architecture), p.predictedLoss, 1e-9);
                assertEquals(moduleParameters(p.architecture, embeddingSize), p.parameters, where + ": parameters of " + p.architecture);
                assertEquals(sumOfParts(table, p.architecture, embeddingSize), p.latencyMs, 1e-12, where);
                assertTrue(distinct.add(p.architecture), "a student came twice");
                checked++;
            }
        }
        assertTrue(checked > 200, "enough students compared: " + checked);
    }

    private static List<Architecture> all(List<List<ArchitectureSearch.Scored>> blocks) {
        List<List<BlockPath>> prefixes = new ArrayList<>();
        prefixes.add(new ArrayList<>());
        for (List<ArchitectureSearch.Scored> block : blocks) {
            List<List<BlockPath>> next = new ArrayList<>();
            for (List<BlockPath> p : prefixes) {
                for (ArchitectureSearch.Scored s : block) {
                    List<BlockPath> e = new ArrayList<>(p);
                    e.add(s.path);
                    next.add(e);
                }
            }
            prefixes = next;
        }
        List<Architecture> out = new ArrayList<>();
        for (List<BlockPath> p : prefixes) {
            out.add(new Architecture(p));
        }
        return out;
    }

    private static final Map<String, Long> MODULE_WEIGHTS = new HashMap<>();

    /**
     * Weights of the student's real modules: embeddings (block 0's width for {@link StudentSize#BLOCK_0}), each op,
     * projections wherever the width changes (from the embeddings too), pooler and classifier.
     */
    static long moduleParameters(Architecture a, int embeddingSize) {
        int e = embeddingSize == StudentSize.BLOCK_0 ? a.blocks().get(0).hidden() : embeddingSize;
        long n = weights("embeddings" + e, r -> new BertEmbeddings(Init.normal(r, 0.02f, SIZE.vocab(), e),
                Init.normal(r, 0.02f, 64, e), Init.normal(r, 0.02f, 2, e), new LayerNorm(e, 1e-12f)).parameterCount());
        int previous = e;
        for (BlockPath b : a.blocks()) {
            int from = previous;
            if (b.hidden() != from) {
                n += weights("dense" + from + "x" + b.hidden(), r -> new Dense(from, b.hidden(), r).parameterCount());
            }
            for (Op op : b.ops()) {
                n += op.isIdentity() ? 0 : weights(op + "@" + b.hidden(), r -> OpModules.build(op, b.hidden(), 4, r).parameterCount());
            }
            previous = b.hidden();
        }
        int last = previous;
        return n + weights("head" + last, r -> new Dense(last, last, r).parameterCount() + new Dense(last, 2, r).parameterCount());
    }

    /** Each kind of module is built once: counting is what is tested, not construction. */
    private static long weights(String key, java.util.function.ToLongFunction<Random> count) {
        return MODULE_WEIGHTS.computeIfAbsent(key, k -> count.applyAsLong(new Random(1)));
    }

    @Test
    void whenNothingFitsTheAnswerIsEmpty() {
        Random random = new Random(3);
        List<List<ArchitectureSearch.Scored>> blocks = new ArrayList<>();
        blocks.add(List.of(new ArchitectureSearch.Scored(BlockPath.parse("64:sep3,id"), 0.5)));
        ArchitectureSearch search = new ArchitectureSearch(blocks, SIZE, table(random), 128);
        assertTrue(search.top(new Constraint("tiny", 1000, Constraint.NONE), 5).isEmpty(), "embeddings alone exceed 1000");
        assertEquals(1, search.top(new Constraint("roomy", 10_000_000, Constraint.NONE), 5).size());
    }

    @Test
    void aLatencyLimitOnANamedDeviceIsMetOnThatDevicesTable() {
        Random random = new Random(11);
        List<BlockPath> paths = SPACE.enumerate();
        Map<String, LatencyTable> tables = new java.util.LinkedHashMap<>();
        tables.put("cpu", table(random));
        tables.put("edge", table(random));
        List<List<ArchitectureSearch.Scored>> blocks = new ArrayList<>();
        for (int n = 0; n < 2; n++) {
            List<ArchitectureSearch.Scored> list = new ArrayList<>();
            for (BlockPath p : paths) {
                list.add(new ArchitectureSearch.Scored(p, random.nextInt(50) / 8.0));
            }
            blocks.add(list);
        }
        ArchitectureSearch search = new ArchitectureSearch(blocks, SIZE, tables, 128);
        for (String device : tables.keySet()) {
            for (double maxMs : new double[]{0.6, 0.9, 1.2}) {
                Constraint c = Constraint.parse(String.format("latency@%s=%sms", device, maxMs), "test");
                double best = Double.MAX_VALUE;
                for (Architecture a : all(blocks)) {
                    if (sumOfParts(tables.get(device), a, StudentSize.BLOCK_0) <= maxMs) {
                        best = Math.min(best, blocks.get(0).stream().filter(x -> x.path.equals(a.blocks().get(0))).findFirst().get().loss
                                + blocks.get(1).stream().filter(x -> x.path.equals(a.blocks().get(1))).findFirst().get().loss);
                    }
                }
                List<ArchitectureSearch.Proposal> top = search.top(c, 3);
                String where = device + " " + maxMs + " ms";
                assertEquals(best != Double.MAX_VALUE, !top.isEmpty(), where);
                for (ArchitectureSearch.Proposal p : top) {
                    assertTrue(p.latencyMsByDevice.get(device) <= maxMs, where);
                    for (String d : tables.keySet()) { // every device's prediction is reported, each by its own table
                        assertEquals(sumOfParts(tables.get(d), p.architecture, StudentSize.BLOCK_0), p.latencyMsByDevice.get(d), 1e-12);
                    }
                }
                if (!top.isEmpty()) {
                    assertEquals(best, top.get(0).predictedLoss, 1e-9, where);
                }
            }
        }
        org.nasbert.NasbertException e = org.junit.jupiter.api.Assertions.assertThrows(org.nasbert.NasbertException.class,
                () -> search.top(Constraint.parse("latency@phone=2ms", "search.constraint"), 1));
        assertTrue(e.getMessage().contains("'phone'") && e.getMessage().contains("cpu, edge"), e.getMessage());
    }
}
