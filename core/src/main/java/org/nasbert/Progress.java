package org.nasbert;

import java.util.function.Consumer;

/**
 * How far a long loop is, logged at most once per interval: {@code "<what>: 120/960 steps (12%), 8.5 steps/s,
 * ETA 1:39"}. The interval is the system property {@value #INTERVAL_PROPERTY} in seconds (default 10; 0 logs every
 * advance); bin/nasbert passes it to the driver and the executors. Lines go to SLF4J where it is on the classpath (Spark
 * jobs), else to stderr (the stand-alone latency probe). Safe to share between threads.
 */
public final class Progress {
    public static final String INTERVAL_PROPERTY = "nasbert.progress.seconds";
    private static final Consumer<String> SINK = sink();
    private final String what;
    private final long total;
    private final String unit;
    private final long started = System.nanoTime();
    private final long intervalNanos = intervalNanos();
    private long done;
    /** Where this run started counting (a resumed loop): the rate counts this run's work only. */
    private long resumedAt;
    private long lastLogged = started;

    private Progress(String what, long total, String unit) {
        this.what = what;
        this.total = total;
        this.unit = unit;
    }

    /** A loop of {@code total} {@code unit} (e.g. "steps") doing {@code what} (e.g. "distill: searched-01"). */
    public static Progress of(String what, long total, String unit) {
        return new Progress(what, total, unit);
    }

    /** The configured interval between two lines of one loop, in nanoseconds. */
    public static long intervalNanos() {
        return (long) (Double.parseDouble(System.getProperty(INTERVAL_PROPERTY, "10")) * 1e9);
    }

    /**
     * {@code n} more done; logs a line if the interval has passed since the last. Every long loop of a task comes
     * through here once per step, so here it stops ({@link Cancelled}) when its task was cancelled.
     */
    public synchronized void advance(long n) {
        Cancelled.check(what);
        done += n;
        long now = System.nanoTime();
        if (now - lastLogged >= intervalNanos) {
            lastLogged = now;
            SINK.accept(line(now));
        }
    }

    /** Counts from {@code done} (a resumed loop). */
    public synchronized Progress from(long done) {
        this.done = done;
        this.resumedAt = done;
        return this;
    }

    synchronized String line(long now) {
        double seconds = (now - started) / 1e9;
        double rate = seconds > 0 ? (done - resumedAt) / seconds : 0;
        String eta = rate > 0 ? clock((total - done) / rate) : "unknown";
        return String.format("%s: %,d/%,d %s (%d%%), %.2f %s/s, %s elapsed, ETA %s", what, done, total, unit,
                total == 0 ? 100 : (int) (100 * done / total), rate, unit, clock(seconds), eta);
    }

    /** Seconds as m:ss, or h:mm:ss from an hour. */
    public static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String.format("%d:%02d", s / 60, s % 60);
    }

    private static Consumer<String> sink() {
        try {
            Class.forName("org.slf4j.LoggerFactory", false, Progress.class.getClassLoader());
            return new Slf4j();
        } catch (ClassNotFoundException e) {
            return System.err::println;
        }
    }

    /** Loaded only when SLF4J is there. */
    private static final class Slf4j implements Consumer<String> {
        private final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Progress.class);

        @Override
        public void accept(String line) {
            log.info(line);
        }
    }
}
