package org.nasbert.text;

import java.io.Serializable;

/**
 * What BERT's normalizer does before splitting, as Hugging Face's {@code BertNormalizer} defines it.
 * Accent stripping follows lower-casing unless set explicitly, as in Hugging Face.
 */
public final class NormalizerConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    final boolean cleanText;
    final boolean handleChineseChars;
    final boolean stripAccents;
    final boolean lowercase;

    public NormalizerConfig(boolean cleanText, boolean handleChineseChars, boolean stripAccents, boolean lowercase) {
        this.cleanText = cleanText;
        this.handleChineseChars = handleChineseChars;
        this.stripAccents = stripAccents;
        this.lowercase = lowercase;
    }

    /** BERT's uncased (lowercase) or cased defaults. */
    public static NormalizerConfig bert(boolean lowercase) {
        return new NormalizerConfig(true, true, lowercase, lowercase);
    }

    public boolean lowercase() {
        return lowercase;
    }

    public boolean stripAccents() {
        return stripAccents;
    }

    @Override
    public String toString() {
        return "clean_text=" + cleanText + ", handle_chinese_chars=" + handleChineseChars
                + ", strip_accents=" + stripAccents + ", lowercase=" + lowercase;
    }
}
