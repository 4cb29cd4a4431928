package org.nasbert.testing;

/** What a failure says, through Spark's and the runner's wrapping: every message down its chain of causes. */
public final class Causes {
    private Causes() {
    }

    /** Each cause's message, one per line, outermost first. */
    public static String messages(Throwable t) {
        StringBuilder all = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            all.append(c.getMessage()).append('\n');
        }
        return all.toString();
    }
}
