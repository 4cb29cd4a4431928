package org.nasbert.prep.corpus;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/** Counters of the tokenize job, mergeable across tasks. */
public final class CorpusCounts implements Serializable {
    private static final long serialVersionUID = 1L;

    private final long[] values = new long[CorpusCount.values().length];

    public void add(CorpusCount count, long n) {
        values[count.ordinal()] += n;
    }

    public void increment(CorpusCount count) {
        values[count.ordinal()]++;
    }

    public long get(CorpusCount count) {
        return values[count.ordinal()];
    }

    public void merge(CorpusCounts other) {
        for (int i = 0; i < values.length; i++) {
            values[i] += other.values[i];
        }
    }

    public boolean isZero() {
        for (long v : values) {
            if (v != 0) {
                return false;
            }
        }
        return true;
    }

    public CorpusCounts copy() {
        CorpusCounts copy = new CorpusCounts();
        copy.merge(this);
        return copy;
    }

    /** The counters that are (skip) or are not (!skip) reasons for leaving input out. */
    public Map<String, Long> asMap(boolean skip) {
        Map<String, Long> map = new LinkedHashMap<>();
        for (CorpusCount count : CorpusCount.values()) {
            if (count.skip == skip) {
                map.put(count.key, get(count));
            }
        }
        return map;
    }

    @Override
    public String toString() {
        return asMap(false) + " skipped " + asMap(true);
    }
}
