package org.nasbert.text;

import java.io.Serializable;

/**
 * One pre-training sequence: {@code [CLS] A [SEP]} or {@code [CLS] A [SEP] B [SEP]}, unpadded.
 * Segment (token type) 0 covers [CLS], A and the first [SEP]; 1 covers B and the last [SEP].
 */
public final class PackedSequence implements Serializable {
    private static final long serialVersionUID = 1L;

    public final long docId;
    public final int indexInDoc;
    public final int[] inputIds;
    /** Index of B's first token in {@link #inputIds}, or {@code inputIds.length} when there is no B. */
    public final int segmentBStart;

    public PackedSequence(long docId, int indexInDoc, int[] inputIds, int segmentBStart) {
        this.docId = docId;
        this.indexInDoc = indexInDoc;
        this.inputIds = inputIds;
        this.segmentBStart = segmentBStart;
    }

    public int length() {
        return inputIds.length;
    }

    public boolean hasSegmentB() {
        return segmentBStart < inputIds.length;
    }

    public int[] tokenTypeIds() {
        int[] types = new int[inputIds.length];
        for (int i = segmentBStart; i < types.length; i++) {
            types[i] = 1;
        }
        return types;
    }

    /** Content tokens, without [CLS] and [SEP]. */
    public int contentTokens() {
        return inputIds.length - (hasSegmentB() ? 3 : 2);
    }
}
