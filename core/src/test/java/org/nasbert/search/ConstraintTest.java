package org.nasbert.search;

import org.junit.jupiter.api.Test;
import org.nasbert.NasbertException;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Constraints as users write them: counts with K/M/G, times in ms or us, both at once, several per setting. */
class ConstraintTest {

    @Test
    void parsesCountsTimesAndCombinations() {
        List<Constraint> list = Constraint.parseAll("params=5M; latency=8ms ;params=2.5m,latency=750us;params=120000", "search.constraint");
        assertEquals(4, list.size());
        assertEquals(5_000_000L, list.get(0).maxParameters());
        assertEquals(Constraint.NONE, list.get(0).maxLatencyNs());
        assertEquals(8_000_000L, list.get(1).maxLatencyNs());
        assertEquals(Constraint.NONE, list.get(1).maxParameters());
        assertEquals(2_500_000L, list.get(2).maxParameters());
        assertEquals(750_000L, list.get(2).maxLatencyNs());
        assertEquals(120_000L, list.get(3).maxParameters());
        assertEquals("params=2.5M,latency=750us", list.get(2).toString());
    }

    @Test
    void badConstraintsNameTheSettingAndTheTerm() {
        String[] bad = {"", "params=", "params=-5M", "latency=8", "size=5M", "params=5M,params=6M", "params=five"};
        for (String text : bad) {
            NasbertException e = assertThrows(NasbertException.class, () -> Constraint.parseAll(text, "search.constraint"), text);
            assertTrue(e.getMessage().startsWith("search.constraint"), e.getMessage());
        }
        NasbertException e = assertThrows(NasbertException.class, () -> Constraint.parseAll("latency=8", "search.constraint"));
        assertTrue(e.getMessage().contains("needs a unit"), e.getMessage());
    }

    @Test
    void aLatencyLimitMayNameTheDeviceWhoseTableItIsOn() {
        List<Constraint> list = Constraint.parseAll("latency@edge=8ms;params=5M,latency@Phone-2=3ms;latency=2ms", "search.constraint");
        assertEquals("edge", list.get(0).device());
        assertEquals(8_000_000L, list.get(0).maxLatencyNs());
        assertEquals("Phone-2", list.get(1).device());
        assertEquals(5_000_000L, list.get(1).maxParameters());
        assertEquals("params=5M,latency@Phone-2=3ms", list.get(1).toString());
        assertEquals(null, list.get(2).device(), "no name: the run's own table");
        for (String text : new String[]{"latency@=3ms", "latency@edge=3ms,latency=2ms", "latency@ed ge=3ms"}) {
            NasbertException e = assertThrows(NasbertException.class, () -> Constraint.parseAll(text, "search.constraint"), text);
            assertTrue(e.getMessage().contains("latency@<device>=<time>"), e.getMessage());
        }
    }
}
