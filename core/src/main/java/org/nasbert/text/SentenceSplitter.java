package org.nasbert.text;

import java.text.BreakIterator;
import java.util.Locale;

/**
 * Splits a line into sentences for packing, as BERT's pre-training data has one sentence per segment.
 * Only boundaries that follow whitespace are kept, so that tokenizing the sentences one by one gives
 * exactly the ids of tokenizing the whole line (WordPiece never joins across whitespace).
 * One instance per thread: {@link BreakIterator} keeps state.
 */
public final class SentenceSplitter {
    private final BreakIterator sentences = BreakIterator.getSentenceInstance(Locale.ROOT);

    /** Writes the sentence end offsets of {@code line} into {@code ends} (the last one is line.length()). */
    public void split(String line, IntList ends) {
        ends.clear();
        sentences.setText(line);
        for (int end = sentences.next(); end != BreakIterator.DONE; end = sentences.next()) {
            if (end == line.length() || (end > 0 && BertCharacters.separatesWords(line.charAt(end - 1)))) {
                ends.add(end);
            }
        }
        if (ends.isEmpty() || ends.get(ends.size() - 1) != line.length()) {
            ends.add(line.length());
        }
    }
}
