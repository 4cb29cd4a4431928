package org.nasbert.prep;

import org.nasbert.prep.corpus.CorpusCounts;
import org.nasbert.text.PackedSequence;

import java.io.Serializable;

/**
 * A packed sequence, or (once per input partition, last) that partition's counts. Counts travel with
 * the data (through the shuffle, when there is one) so that they are added up once, in the writing
 * tasks, however often an input partition is recomputed.
 */
public final class TokenizedItem implements Serializable {
    private static final long serialVersionUID = 1L;

    public final PackedSequence sequence;
    public final CorpusCounts counts;

    private TokenizedItem(PackedSequence sequence, CorpusCounts counts) {
        this.sequence = sequence;
        this.counts = counts;
    }

    static TokenizedItem of(PackedSequence sequence) {
        return new TokenizedItem(sequence, null);
    }

    static TokenizedItem of(CorpusCounts counts) {
        return new TokenizedItem(null, counts);
    }
}
