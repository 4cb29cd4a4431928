package org.nasbert.finetune;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Examples padded to the longest of them: the unit every {@link Encoder} call takes. */
public final class TaskBatch {
    public final List<EncodedExample> examples;
    public final int[][] ids;
    public final int[][] types;
    public final int[] lengths;

    public TaskBatch(List<EncodedExample> examples) {
        this.examples = Collections.unmodifiableList(new ArrayList<>(examples));
        int seq = 1;
        for (EncodedExample e : examples) {
            seq = Math.max(seq, e.ids.length);
        }
        ids = new int[examples.size()][seq];
        types = new int[examples.size()][seq];
        lengths = new int[examples.size()];
        for (int b = 0; b < examples.size(); b++) {
            EncodedExample e = examples.get(b);
            System.arraycopy(e.ids, 0, ids[b], 0, e.ids.length);
            System.arraycopy(e.types, 0, types[b], 0, e.types.length);
            lengths[b] = e.ids.length;
        }
    }

    /** The rows {@code rows} of {@code data}, in that order. */
    public static TaskBatch of(List<EncodedExample> data, int[] rows) {
        List<EncodedExample> picked = new ArrayList<>(rows.length);
        for (int r : rows) {
            picked.add(data.get(r));
        }
        return new TaskBatch(picked);
    }

    public int size() {
        return lengths.length;
    }
}
