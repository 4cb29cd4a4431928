package org.nasbert.prep;

import org.nasbert.conf.Setting;

/** The settings of the tokenize stage; defaults and docs in conf/nasbert.properties. */
public final class TokenizeSettings {
    public static final Setting<String> INPUT = Setting.nonEmpty("tokenize.input",
            "Comma-separated files, directories (recursive) or globs; plain, .gz or .bz2; any Hadoop file system");
    public static final Setting<String> DOCUMENT = Setting.oneOf("tokenize.document",
            "What a document is: each file, or blank-line-separated paragraphs", "file", "paragraphs");
    public static final Setting<String> SEGMENT = Setting.oneOf("tokenize.segment",
            "What a packing segment is: a sentence (lines are split) or a line", "sentence", "line");
    public static final Setting<Integer> MAX_SEQ_LEN = Setting.intInRange("tokenize.max-seq-len",
            "Tokens per packed sequence, [CLS] and [SEP] included", 8, 8192);
    public static final Setting<Double> SHORT_SEQ_PROB = Setting.doubleInRange("tokenize.short-seq-prob",
            "Probability that a document packs to a random shorter length", 0.0, 1.0);
    public static final Setting<Long> SEED = Setting.longValue("tokenize.seed", "Seed of the packing randomness");
    public static final Setting<Integer> MAX_LINE_BYTES = Setting.intInRange("tokenize.max-line-bytes",
            "Lines longer than this (bytes) are skipped and counted", 16, 256 << 20);
    public static final Setting<Integer> PARTITIONS = Setting.intInRange("tokenize.partitions",
            "Output files; 0 = one per input split (no shuffle), N = sequences spread over N files by a hash shuffle", 0, 1 << 20);

    private TokenizeSettings() {
    }
}
