package org.nasbert;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A progress line: counts, share, rate of this run's work, elapsed time and what is left at that rate. */
class ProgressTest {
    @Test
    void theLineCountsThisRunsWorkOnlyAndEstimatesTheRest() {
        Progress p = Progress.of("distill: searched-01", 1000, "steps").from(200); // resumed at step 200
        p.advance(100);
        String line = p.line(System.nanoTime() + 20_000_000_000L); // about 20 s after it started
        assertTrue(line.startsWith("distill: searched-01: 300/1,000 steps (30%), "), line);
        // 100 steps in about 20 s: about 5 steps/s, 700 left: about 140 s
        double rate = Double.parseDouble(line.replaceAll(".*\\(30%\\), ([0-9.]+) steps/s.*", "$1"));
        assertEquals(5.0, rate, 0.1, line);
        assertTrue(line.endsWith("ETA 2:20") || line.endsWith("ETA 2:19") || line.endsWith("ETA 2:21"), line);
    }

    @Test
    void aLoopWhoseThreadWasInterruptedStopsAtItsNextStep() {
        Progress p = Progress.of("distill: searched-01", 10, "steps");
        p.advance(1);
        Thread.currentThread().interrupt(); // what Spark does to a task it cancels
        try {
            Cancelled stop = assertThrows(Cancelled.class, () -> p.advance(1));
            assertEquals("distill: searched-01: cancelled (its thread was interrupted)", stop.getMessage());
            assertTrue(Thread.currentThread().isInterrupted(), "the interrupt stays for whatever else looks");
            assertTrue(p.line(System.nanoTime()).startsWith("distill: searched-01: 1/10 steps"), "the step is not counted");
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void timesReadAsClocks() {
        assertEquals("0:07", Progress.clock(7.4));
        assertEquals("2:05", Progress.clock(125));
        assertEquals("1:00:01", Progress.clock(3601));
    }
}
