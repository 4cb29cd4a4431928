package org.nasbert.text;

/**
 * Splits a line into sentences for packing, as BERT's pre-training data has one sentence per segment.
 * A sentence ends after '.', '!' or '?' (and any closing quotes or brackets) when whitespace follows
 * and the next sentence starts with an upper-case letter, a digit, or an opening quote or bracket;
 * a period after a single capital ("J. Smith") or a common abbreviation ("Mr.", "e.g.") does not end
 * one. Rule-based and single-pass, so it is fast and gives the same split on every JDK.
 *
 * <p>Boundaries always follow whitespace that separates words for WordPiece, so tokenizing the
 * sentences one by one gives exactly the ids of tokenizing the whole line.
 */
public final class SentenceSplitter {
    private static final String[] ABBREVIATIONS = {
        "mr", "mrs", "ms", "dr", "st", "jr", "sr", "prof", "rev", "gen", "col", "capt", "lt", "sgt", "gov", "sen",
        "rep", "hon", "messrs", "mme", "mlle", "vs", "etc", "e.g", "i.e", "cf", "al", "no", "vol", "fig", "approx",
        "inc", "ltd", "co", "corp", "dept", "est", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept",
        "oct", "nov", "dec", "mt", "ft", "p", "pp", "u.s", "u.k"};

    /** Writes the end offsets of the sentences of {@code line} into {@code ends} (the last is line.length()). */
    public void split(String line, IntList ends) {
        ends.clear();
        int n = line.length();
        for (int i = 0; i < n; i++) {
            char c = line.charAt(i);
            if (c != '.' && c != '!' && c != '?') {
                continue;
            }
            int j = i + 1;
            while (j < n && isTerminalOrCloser(line.charAt(j))) {
                j++;
            }
            int k = j;
            while (k < n && BertCharacters.separatesWords(line.charAt(k))) {
                k++;
            }
            if (k == j || k == n || !startsSentence(line.charAt(k))) {
                continue;
            }
            if (c == '.' && isAbbreviation(line, i)) {
                continue;
            }
            ends.add(k);
            i = k - 1;
        }
        ends.add(n);
    }

    private static boolean isTerminalOrCloser(char c) {
        return c == '.' || c == '!' || c == '?' || c == '"' || c == '\'' || c == ')' || c == ']'
                || c == '\u201D' || c == '\u2019' || c == '\u00BB';
    }

    private static boolean startsSentence(char c) {
        return Character.isUpperCase(c) || Character.isDigit(c) || c == '"' || c == '\'' || c == '(' || c == '['
                || c == '\u201C' || c == '\u2018' || c == '\u00AB' || Character.isTitleCase(c);
    }

    /** The word before the period at {@code dot} is a single capital or a known abbreviation. */
    private static boolean isAbbreviation(String line, int dot) {
        int start = dot;
        while (start > 0 && (Character.isLetter(line.charAt(start - 1)) || line.charAt(start - 1) == '.')) {
            start--;
        }
        int length = dot - start;
        if (length == 0) {
            return false;
        }
        if (length == 1 && Character.isUpperCase(line.charAt(start))) {
            return true;
        }
        if (length > 6) {
            return false;
        }
        String word = line.substring(start, dot).toLowerCase(java.util.Locale.ROOT);
        for (String abbreviation : ABBREVIATIONS) {
            if (abbreviation.equals(word)) {
                return true;
            }
        }
        return false;
    }
}
