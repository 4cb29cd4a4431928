package org.nasbert.latency;

import org.nasbert.Progress;
import org.nasbert.stats.Bootstrap;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Times several pieces of work in rounds, each piece once per round in turn, so each runs after the others have
 * been through the caches (as a part does inside a student) and drift of the machine's speed hits all alike; timed
 * back to back, a part kept its weights hot and the sums came out 10-20% below whole students.
 */
final class RoundRobin {
    private RoundRobin() {
    }

    /**
     * A warm-up of at least {@code warmup} rounds and {@code warmupNanos}, then {@code runs} timed rounds; median and
     * 10th/90th percentiles per piece. The time floor is for the JIT: small BigDL ops are mostly Java loops, and timed
     * after a few dozen calls they ran up to 50% slower than in a JVM that had been training for minutes.
     */
    static Map<String, LatencyTable.Timing> time(Map<String, Runnable> work, int warmup, int runs, long warmupNanos) {
        return time(work, warmup, runs, warmupNanos, 0);
    }

    /**
     * As {@link #time(Map, int, int, long)}, with at least {@code timedNanos} of timed rounds (more rounds than
     * {@code runs} if need be): a median over a short window follows a passing disturbance of a shared machine.
     */
    static Map<String, LatencyTable.Timing> time(Map<String, Runnable> work, int warmup, int runs, long warmupNanos, long timedNanos) {
        long start = System.nanoTime();
        for (int i = 0; i < warmup || System.nanoTime() - start < warmupNanos; i++) {
            work.values().forEach(Runnable::run);
        }
        Map<String, double[]> ms = new LinkedHashMap<>();
        work.keySet().forEach(name -> ms.put(name, new double[runs]));
        long timed = System.nanoTime();
        Progress progress = Progress.of("latency: timing " + work.size() + " models round-robin", runs, "rounds");
        int r = 0;
        for (; r < runs || System.nanoTime() - timed < timedNanos; r++, progress.advance(1)) {
            for (Map.Entry<String, Runnable> e : work.entrySet()) {
                double[] times = ms.get(e.getKey());
                if (r == times.length) {
                    times = java.util.Arrays.copyOf(times, 2 * times.length);
                    ms.put(e.getKey(), times);
                }
                long t0 = System.nanoTime();
                e.getValue().run();
                times[r] = (System.nanoTime() - t0) / 1e6;
            }
        }
        int rounds = r;
        Map<String, LatencyTable.Timing> out = new LinkedHashMap<>();
        ms.forEach((name, times) -> out.put(name, timing(java.util.Arrays.copyOf(times, rounds))));
        return out;
    }

    static LatencyTable.Timing timing(double[] ms) {
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        return new LatencyTable.Timing(Bootstrap.percentile(sorted, 50), Bootstrap.percentile(sorted, 10),
                Bootstrap.percentile(sorted, 90), ms.length);
    }
}
