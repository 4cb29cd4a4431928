package org.nasbert.prep.corpus;

import java.util.List;

/**
 * A piece of one document as the reader found it: up to a few thousand consecutive lines (decoded,
 * non-blank), and what was counted or skipped while reading them. A document spans one or more
 * consecutive records of the same split; {@link #endsDocument} marks its last.
 */
public final class CorpusRecord {
    /** Stable id of the document: a hash of the file URI and the byte offset where it starts. */
    public final long docId;
    public final List<String> lines;
    public final boolean endsDocument;
    public final CorpusCounts counts;

    CorpusRecord(long docId, List<String> lines, boolean endsDocument, CorpusCounts counts) {
        this.docId = docId;
        this.lines = lines;
        this.endsDocument = endsDocument;
        this.counts = counts;
    }

    /** True for a record that only carries counts (e.g. a skipped binary file). */
    public boolean isCountsOnly() {
        return docId == 0 && lines.isEmpty();
    }
}
