package org.nasbert.prep.corpus;

/**
 * What the tokenize job counts. The manifest reports them under "counts" and "skipped"; they add up:
 * <pre>
 *   lines  = lines_tokenized + invalid_utf8_line + line_too_long + line_without_tokens
 *   tokens = tokens_in_sequences + tokens_truncated
 *   sum(num_tokens) over the output = tokens_in_sequences + 2 * sequences + sequences_with_segment_b
 *   files  = files_read + binary_file + empty_file     (a truncated file is read up to the damage)
 * </pre>
 */
public enum CorpusCount {
    FILES_READ("files_read", false),
    LINES("lines", false),
    LINES_TOKENIZED("lines_tokenized", false),
    DOCUMENTS("documents", false),
    TOKENS("tokens", false),
    TOKENS_IN_SEQUENCES("tokens_in_sequences", false),
    TOKENS_TRUNCATED("tokens_truncated", false),
    SEQUENCES("sequences", false),
    SEQUENCES_WITH_SEGMENT_B("sequences_with_segment_b", false),

    BINARY_FILE("binary_file", true),
    EMPTY_FILE("empty_file", true),
    TRUNCATED_OR_CORRUPT_COMPRESSED_FILE("truncated_or_corrupt_compressed_file", true),
    INVALID_UTF8_LINE("invalid_utf8_line", true),
    LINE_TOO_LONG("line_too_long", true),
    LINE_WITHOUT_TOKENS("line_without_tokens", true),
    EMPTY_DOCUMENT("empty_document", true);

    public final String key;
    /** Reported under "skipped": input that was counted and left out, with this reason. */
    public final boolean skip;

    CorpusCount(String key, boolean skip) {
        this.key = key;
        this.skip = skip;
    }
}
