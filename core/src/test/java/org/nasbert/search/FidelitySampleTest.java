package org.nasbert.search;

import org.junit.jupiter.api.Test;
import org.nasbert.space.Architecture;
import org.nasbert.space.BlockPath;
import org.nasbert.space.StudentSize;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fidelity sample: the chosen students first, the rest distinct and spread over the whole size range, by seed. */
class FidelitySampleTest {
    private static final StudentSize SIZE = new StudentSize(30522, 512, 2, 4, 64);

    private static List<List<BlockPath>> blocks() {
        List<BlockPath> a = paths("64:sep3,id", "64:ffn,id", "64:mha,ffn", "128:sep3,id", "128:ffn,id", "128:mha,ffn", "128:ffn,ffn");
        List<BlockPath> b = paths("64:sep3,id", "64:ffn,ffn", "128:mha,id", "128:mha,mha", "128:ffn,ffn");
        return Arrays.asList(a, b, b);
    }

    private static List<BlockPath> paths(String... p) {
        List<BlockPath> out = new ArrayList<>();
        for (String s : p) {
            out.add(BlockPath.parse(s));
        }
        return out;
    }

    @Test
    void countsTheStudentsTheCandidatesMake() {
        assertEquals(7 * 5 * 5, FidelitySample.students(blocks()));
    }

    @Test
    void chosenFirstThenDistinctStudentsAcrossTheSizeRange() {
        Architecture chosen = Architecture.parse("128:mha,ffn | 128:mha,id | 64:ffn,ffn");
        List<Architecture> drawn = FidelitySample.draw(blocks(), Arrays.asList(chosen, chosen), 9, SIZE::parameters, 42);
        assertEquals(9, drawn.size());
        assertEquals(chosen, drawn.get(0));
        assertEquals(9, new HashSet<>(drawn).size(), "distinct: " + drawn);
        // brute force: the smallest and largest students the candidates make
        long min = Long.MAX_VALUE;
        long max = 0;
        for (BlockPath x : blocks().get(0)) {
            for (BlockPath y : blocks().get(1)) {
                for (BlockPath z : blocks().get(2)) {
                    long p = SIZE.parameters(new Architecture(Arrays.asList(x, y, z)));
                    min = Math.min(min, p);
                    max = Math.max(max, p);
                }
            }
        }
        long lo = Long.MAX_VALUE;
        long hi = 0;
        for (Architecture a : drawn.subList(1, drawn.size())) {
            lo = Math.min(lo, SIZE.parameters(a));
            hi = Math.max(hi, SIZE.parameters(a));
        }
        // eight targets at 1/16, 3/16, ... 15/16 of the range: the ones drawn reach near both ends
        double range = max - min;
        assertTrue(lo - min < 0.15 * range && max - hi < 0.15 * range, "spread over [" + min + ", " + max + "]: [" + lo + ", " + hi + "]");
        assertEquals(drawn, FidelitySample.draw(blocks(), Arrays.asList(chosen), 9, SIZE::parameters, 42), "the same seed, the same sample");
    }

    @Test
    void asManyAsTheCandidatesMakeIsEveryStudent() {
        List<List<BlockPath>> small = Arrays.asList(paths("64:sep3,id", "128:ffn,id"), paths("64:sep3,id", "128:mha,id", "128:ffn,ffn"));
        List<Architecture> all = FidelitySample.draw(small, new ArrayList<>(), 6, SIZE::parameters, 1);
        assertEquals(6, new HashSet<>(all).size());
    }
}
