package org.nasbert.text;

import java.text.Normalizer;

/**
 * BERT's text normalisation in Hugging Face's order: clean control characters and whitespace,
 * isolate CJK ideographs, strip accents (NFD, drop non-spacing marks), then lower-case per character.
 * Pure ASCII text, the common case, takes a path without NFD.
 */
final class BertNormalizer {
    private final NormalizerConfig config;

    BertNormalizer(NormalizerConfig config) {
        this.config = config;
    }

    String normalize(CharSequence text, int from, int to) {
        boolean ascii = true;
        for (int i = from; i < to; i++) {
            if (text.charAt(i) >= 0x80) {
                ascii = false;
                break;
            }
        }
        return ascii ? normalizeAscii(text, from, to) : normalizeUnicode(text, from, to);
    }

    private String normalizeAscii(CharSequence text, int from, int to) {
        StringBuilder out = new StringBuilder(to - from);
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (config.cleanText && c < 0x20) {
                if (c == '\t' || c == '\n' || c == '\r') {
                    c = ' ';
                } else {
                    continue;
                }
            } else if (config.cleanText && c == 0x7F) {
                continue;
            }
            if (config.lowercase && c >= 'A' && c <= 'Z') {
                c = (char) (c + ('a' - 'A'));
            }
            out.append(c);
        }
        return out.toString();
    }

    private String normalizeUnicode(CharSequence text, int from, int to) {
        StringBuilder cleaned = new StringBuilder(to - from + 8);
        for (int i = from; i < to; ) {
            int c = Character.codePointAt(text, i);
            i += Character.charCount(c);
            if (config.cleanText) {
                if (c == 0 || c == 0xFFFD || BertCharacters.isControl(c)) {
                    continue;
                }
                if (BertCharacters.isWhitespace(c)) {
                    c = ' ';
                }
            }
            if (config.handleChineseChars && BertCharacters.isChinese(c)) {
                cleaned.append(' ').appendCodePoint(c).append(' ');
            } else {
                cleaned.appendCodePoint(c);
            }
        }
        String s = cleaned.toString();
        if (config.stripAccents) {
            s = stripAccents(s);
        }
        if (config.lowercase) {
            s = lowercase(s);
        }
        return s;
    }

    private static String stripAccents(String s) {
        String nfd = Normalizer.normalize(s, Normalizer.Form.NFD);
        StringBuilder out = new StringBuilder(nfd.length());
        for (int i = 0; i < nfd.length(); ) {
            int c = nfd.codePointAt(i);
            i += Character.charCount(c);
            if (!BertCharacters.isNonSpacingMark(c)) {
                out.appendCodePoint(c);
            }
        }
        return out.toString();
    }

    /** Per-character full lower-case mapping, as Rust's {@code char::to_lowercase} (no final-sigma context). */
    private static String lowercase(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            i += Character.charCount(c);
            if (c == 0x130) {
                out.append("i\u0307");
            } else {
                out.appendCodePoint(Character.toLowerCase(c));
            }
        }
        return out.toString();
    }
}
