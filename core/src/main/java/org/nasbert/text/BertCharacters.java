package org.nasbert.text;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.BitSet;

/**
 * Character classes exactly as Hugging Face's Rust BERT normalizer and pre-tokenizer define them
 * (which differ from Python's BertTokenizer in places, e.g. U+2028 is whitespace here).
 */
final class BertCharacters {
    private static final BitSet LEGACY_LETTERS = readLegacyLetters();

    private BertCharacters() {
    }

    /** Assigned after Hugging Face's character tables were made: a letter to it, whatever Java says. */
    static boolean isLegacyLetter(int c) {
        return c >= 0x7FD && LEGACY_LETTERS.get(c);
    }

    /** Punctuation in Hugging Face's older tables, re-categorised since (as So and Mn). */
    private static boolean isLegacyPunctuation(int c) {
        return c == 0x166D || c == 0x111C9;
    }

    /** A non-spacing mark, removed by accent stripping. */
    static boolean isNonSpacingMark(int c) {
        return Character.getType(c) == Character.NON_SPACING_MARK && !isLegacyLetter(c) && !isLegacyPunctuation(c);
    }

    private static BitSet readLegacyLetters() {
        BitSet set = new BitSet();
        try (InputStream in = BertCharacters.class.getResourceAsStream("hf-legacy-letters.txt");
             BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                line = line.trim();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                int dots = line.indexOf("..");
                int from = Integer.parseInt(dots < 0 ? line : line.substring(0, dots), 16);
                int to = dots < 0 ? from : Integer.parseInt(line.substring(dots + 2), 16);
                set.set(from, to + 1);
            }
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("cannot read hf-legacy-letters.txt from the classpath", e);
        }
        return set;
    }

    /** Rust's {@code char::is_whitespace}: the Unicode White_Space property. */
    static boolean isWhitespace(int c) {
        if (c <= 0x20) {
            return c == 0x20 || (c >= 0x09 && c <= 0x0D);
        }
        if (c < 0x85) {
            return false;
        }
        switch (c) {
            case 0x85: case 0xA0: case 0x1680: case 0x2028: case 0x2029: case 0x202F: case 0x205F: case 0x3000:
                return true;
            default:
                return c >= 0x2000 && c <= 0x200A;
        }
    }

    /** Whitespace that survives clean_text, so words never join across it. */
    static boolean separatesWords(int c) {
        return isWhitespace(c) && !isControl(c);
    }

    /** Removed by clean_text: Cc, Cf, Co and Cs (not unassigned code points, as in Hugging Face) except tab, newline, return. */
    static boolean isControl(int c) {
        if (c == '\t' || c == '\n' || c == '\r' || isLegacyLetter(c)) {
            return false;
        }
        switch (Character.getType(c)) {
            case Character.CONTROL:
            case Character.FORMAT:
            case Character.PRIVATE_USE:
            case Character.SURROGATE:
                return true;
            default:
                return false;
        }
    }

    /** ASCII punctuation (which includes symbols such as $ + < = > ^ ` |) or any Unicode P* category. */
    static boolean isPunctuation(int c) {
        if (c < 0x80) {
            return (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60)
                    || (c >= 0x7B && c <= 0x7E);
        }
        if (isLegacyLetter(c)) {
            return false;
        }
        if (isLegacyPunctuation(c)) {
            return true;
        }
        switch (Character.getType(c)) {
            case Character.CONNECTOR_PUNCTUATION:
            case Character.DASH_PUNCTUATION:
            case Character.START_PUNCTUATION:
            case Character.END_PUNCTUATION:
            case Character.INITIAL_QUOTE_PUNCTUATION:
            case Character.FINAL_QUOTE_PUNCTUATION:
            case Character.OTHER_PUNCTUATION:
                return true;
            default:
                return false;
        }
    }

    /** The CJK ideograph blocks that BERT isolates as single-character words. */
    static boolean isChinese(int c) {
        return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF)
                || (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B920 && c <= 0x2CEAF)
                || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
    }
}
