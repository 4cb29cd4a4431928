package org.nasbert.prune;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bins by parameters and latency relative to the largest path; pruning keeps the better half of a sample. */
class SizeBinsTest {

    @Test
    void aPathGoesToTheBinOfItsParametersWhenItsLatencyAgreesElseToNone() {
        List<SizeBins.Sized<String>> paths = List.of(
                new SizeBins.Sized<>("largest", 1000, 10.0),
                new SizeBins.Sized<>("tenth", 100, 1.0),          // exactly 1/10: the first bin's upper edge
                new SizeBins.Sized<>("just over", 101, 1.01),     // second bin
                new SizeBins.Sized<>("half", 500, 5.0),           // fifth bin
                new SizeBins.Sized<>("slow small", 150, 9.5),     // parameters bin 2, latency bin 10: no bin
                new SizeBins.Sized<>("empty", 0, 0.0));           // no weights: first bin
        List<List<SizeBins.Sized<String>>> bins = SizeBins.assign(paths, 10);
        assertEquals(10, bins.size());
        assertEquals(Set.of("tenth", "empty"), names(bins.get(0)));
        assertEquals(Set.of("just over"), names(bins.get(1)));
        assertEquals(Set.of("half"), names(bins.get(4)));
        assertEquals(Set.of("largest"), names(bins.get(9)));
        int placed = bins.stream().mapToInt(List::size).sum();
        assertEquals(5, placed, "the slow small path fits no bin and is dropped");
    }

    @Test
    void pruningDropsTheWorseHalfOfTheSampleAndNeverGoesBelowKeep() {
        List<SizeBins.Sized<Integer>> bin = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            bin.add(new SizeBins.Sized<>(i, i, i));
        }
        // loss = the id: the sampled paths with the larger ids must go
        List<SizeBins.Sized<Integer>> once = SizeBins.prune(bin, 40, 10, p -> p.path, new Random(1));
        assertEquals(20, once.size());
        for (SizeBins.Sized<Integer> p : once) {
            assertTrue(p.path < 20, "kept " + p.path);
        }
        List<SizeBins.Sized<Integer>> sampled = SizeBins.prune(bin, 10, 10, p -> p.path, new Random(2));
        assertEquals(35, sampled.size(), "half of a sample of 10 dropped, the 30 unsampled stay");
        List<SizeBins.Sized<Integer>> floor = SizeBins.prune(once, 20, 15, p -> p.path, new Random(3));
        assertEquals(15, floor.size(), "never below keep");
        assertEquals(Set.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14), ids(floor));
        assertEquals(once, SizeBins.prune(once, 20, 20, p -> p.path, new Random(4)), "at keep already: unchanged");
    }

    @Test
    void badSizesAndBinCountsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new SizeBins.Sized<>("x", -1, 1.0));
        assertThrows(IllegalArgumentException.class, () -> new SizeBins.Sized<>("x", 1, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> SizeBins.assign(List.of(), 0));
        assertFalse(SizeBins.assign(List.<SizeBins.Sized<String>>of(), 3).stream().anyMatch(b -> !b.isEmpty()));
    }

    private static Set<String> names(List<SizeBins.Sized<String>> bin) {
        Set<String> s = new HashSet<>();
        bin.forEach(p -> s.add(p.path));
        return s;
    }

    private static Set<Integer> ids(List<SizeBins.Sized<Integer>> bin) {
        Set<Integer> s = new HashSet<>();
        bin.forEach(p -> s.add(p.path));
        return s;
    }
}
