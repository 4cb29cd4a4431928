package org.nasbert.text;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * BERT's WordPiece tokenizer, giving the same ids as Hugging Face's (Rust) BertTokenizerFast without
 * special tokens: added tokens such as [MASK] are matched verbatim in the raw text, the rest is
 * normalised, split on whitespace and punctuation, and each word is cut greedily into the longest
 * vocabulary pieces ("##" marks a continuation); a word that cannot be cut, or is longer than
 * {@code max_input_chars_per_word} characters, becomes [UNK].
 *
 * <p>Thread-safe: it keeps no per-call state, so one instance serves every task of an executor
 * ({@link #forVocabulary}).
 */
public final class WordPieceTokenizer {
    private static final ConcurrentHashMap<String, WordPieceTokenizer> SHARED = new ConcurrentHashMap<>();

    private final WordPieceVocabulary vocabulary;
    private final BertNormalizer normalizer;
    private final CharTrie wordStarts = new CharTrie();
    private final CharTrie continuations = new CharTrie();
    private final String[] addedTokens;
    private final int[] addedIds;
    private final int unknownId;
    private final int maxCharsPerWord;

    public WordPieceTokenizer(WordPieceVocabulary vocabulary) {
        this.vocabulary = vocabulary;
        this.normalizer = new BertNormalizer(vocabulary.normalizer());
        this.unknownId = vocabulary.unknownId();
        this.maxCharsPerWord = vocabulary.maxInputCharsPerWord();
        String prefix = vocabulary.continuingPrefix();
        for (int id = 0; id < vocabulary.size(); id++) {
            String token = vocabulary.token(id);
            wordStarts.insert(token, 0, id);
            if (token.startsWith(prefix)) {
                continuations.insert(token, prefix.length(), id);
            }
        }
        List<String> added = new ArrayList<>(vocabulary.addedTokens());
        added.removeIf(String::isEmpty);
        addedTokens = added.toArray(new String[0]);
        addedIds = new int[addedTokens.length];
        for (int i = 0; i < addedTokens.length; i++) {
            addedIds[i] = vocabulary.id(addedTokens[i]);
        }
    }

    /** One tokenizer per vocabulary per JVM: executors build the trie once, not once per task. */
    public static WordPieceTokenizer forVocabulary(WordPieceVocabulary vocabulary) {
        return SHARED.computeIfAbsent(vocabulary.sha256(), key -> new WordPieceTokenizer(vocabulary));
    }

    public WordPieceVocabulary vocabulary() {
        return vocabulary;
    }

    public int[] encode(String text) {
        IntList out = new IntList();
        encode(text, 0, text.length(), out);
        return out.toArray();
    }

    /** Appends the ids of {@code text[from, to)} to {@code out}; returns how many were appended. */
    public int encode(CharSequence text, int from, int to, IntList out) {
        int before = out.size();
        int plainStart = from;
        for (int i = from; i < to; ) {
            int match = addedTokenAt(text, i, to);
            if (match >= 0) {
                encodePlain(text, plainStart, i, out);
                out.add(addedIds[match]);
                i += addedTokens[match].length();
                plainStart = i;
            } else {
                i++;
            }
        }
        encodePlain(text, plainStart, to, out);
        return out.size() - before;
    }

    /** The longest added token starting at {@code i}, or -1. */
    private int addedTokenAt(CharSequence text, int i, int to) {
        int best = -1;
        for (int t = 0; t < addedTokens.length; t++) {
            String token = addedTokens[t];
            if (token.charAt(0) == text.charAt(i) && i + token.length() <= to
                    && (best < 0 || token.length() > addedTokens[best].length())
                    && regionMatches(text, i, token)) {
                best = t;
            }
        }
        return best;
    }

    private static boolean regionMatches(CharSequence text, int at, String token) {
        for (int k = 0; k < token.length(); k++) {
            if (text.charAt(at + k) != token.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    private void encodePlain(CharSequence text, int from, int to, IntList out) {
        if (from >= to) {
            return;
        }
        String s = normalizer.normalize(text, from, to);
        int wordStart = -1;
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            int next = i + Character.charCount(c);
            if (BertCharacters.isWhitespace(c)) {
                wordStart = flush(s, wordStart, i, out);
            } else if (BertCharacters.isPunctuation(c)) {
                wordStart = flush(s, wordStart, i, out);
                wordPieces(s, i, next, out);
            } else if (wordStart < 0) {
                wordStart = i;
            }
            i = next;
        }
        flush(s, wordStart, s.length(), out);
    }

    private int flush(String s, int wordStart, int end, IntList out) {
        if (wordStart >= 0) {
            wordPieces(s, wordStart, end, out);
        }
        return -1;
    }

    /** Greedy longest-match-first over the trie; the whole word is [UNK] if any part has no piece. */
    private void wordPieces(String word, int from, int to, IntList out) {
        if (to - from > maxCharsPerWord && word.codePointCount(from, to) > maxCharsPerWord) {
            out.add(unknownId);
            return;
        }
        int mark = out.size();
        for (int start = from; start < to; ) {
            CharTrie trie = start == from ? wordStarts : continuations;
            int node = CharTrie.ROOT;
            int bestEnd = -1;
            int bestId = -1;
            for (int j = start; j < to; j++) {
                node = trie.child(node, word.charAt(j));
                if (node < 0) {
                    break;
                }
                int id = trie.tokenId(node);
                if (id >= 0) {
                    bestEnd = j + 1;
                    bestId = id;
                }
            }
            if (bestId < 0) {
                out.removeLast(out.size() - mark);
                out.add(unknownId);
                return;
            }
            out.add(bestId);
            start = bestEnd;
        }
    }
}
