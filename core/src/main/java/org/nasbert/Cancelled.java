package org.nasbert;

/**
 * Thrown where a long loop finds its thread interrupted. Spark interrupts the threads of the tasks it cancels (the
 * stage runner asks it to), but a loop of arithmetic never notices: a cancelled task would train on to its end beside
 * the rerun of the same stage, writing the same checkpoints. Loops call {@link #check} once per step.
 */
public final class Cancelled extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private Cancelled(String what) {
        super(what + ": cancelled (its thread was interrupted)");
    }

    /** Throws if this thread was interrupted; leaves the interrupt set for whatever else looks. */
    public static void check(String what) {
        if (Thread.currentThread().isInterrupted()) {
            throw new Cancelled(what);
        }
    }
}
