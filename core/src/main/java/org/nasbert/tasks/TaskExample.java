package org.nasbert.tasks;

import java.io.Serializable;

/** One labelled row of a downstream task: a text or a pair, a class id (classification) or a score (regression). */
public final class TaskExample implements Serializable {
    private static final long serialVersionUID = 1L;
    public final String textA;
    /** Null for single-sentence tasks. */
    public final String textB;
    /** Index into the task's labels; -1 for regression. */
    public final int label;
    /** The regression target (STS-B's 0-5 similarity); NaN for classification. */
    public final double score;
    /** Where it came from, for messages: file:line. */
    public final String origin;

    public TaskExample(String textA, String textB, int label, double score, String origin) {
        this.textA = textA;
        this.textB = textB;
        this.label = label;
        this.score = score;
        this.origin = origin;
    }
}
