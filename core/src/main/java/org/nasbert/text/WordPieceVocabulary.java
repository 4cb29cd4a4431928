package org.nasbert.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.nasbert.NasbertException;
import org.nasbert.io.Sha256;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Serializable;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A teacher's WordPiece vocabulary with the normalisation it implies, read from a BERT
 * {@code vocab.txt} or a Hugging Face {@code tokenizer.json}. Small and serializable: it is what the
 * driver broadcasts; executors build a {@link WordPieceTokenizer} from it.
 */
public final class WordPieceVocabulary implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final List<String> BERT_SPECIALS = Arrays.asList("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]");

    private final String source;
    private final String[] tokens;
    private final NormalizerConfig normalizer;
    private final String unknownToken;
    private final String continuingPrefix;
    private final int maxInputCharsPerWord;
    /** Tokens matched verbatim in raw text before normalisation (Hugging Face "added tokens"). */
    private final String[] addedTokens;
    private transient Map<String, Integer> ids;

    WordPieceVocabulary(String source, String[] tokens, NormalizerConfig normalizer, String unknownToken,
                        String continuingPrefix, int maxInputCharsPerWord, List<String> addedTokens) {
        this.source = source;
        this.tokens = tokens;
        this.normalizer = normalizer;
        this.unknownToken = unknownToken;
        this.continuingPrefix = continuingPrefix;
        this.maxInputCharsPerWord = maxInputCharsPerWord;
        this.addedTokens = addedTokens.toArray(new String[0]);
        for (String special : Arrays.asList(unknownToken, "[CLS]", "[SEP]", "[MASK]", "[PAD]")) {
            if (!ids().containsKey(special)) {
                throw new NasbertException("vocabulary " + source + " has no " + special
                        + " token; a BERT WordPiece vocabulary must define [PAD], [UNK], [CLS], [SEP] and [MASK]");
            }
        }
    }

    /**
     * Reads {@code tokenizer.json} (when the name ends in .json or the content is a JSON object) or a
     * one-token-per-line {@code vocab.txt}.
     *
     * @param lowercase for vocab.txt only: null decides from the vocabulary (no upper-case pieces means uncased)
     */
    public static WordPieceVocabulary read(InputStream in, String source, Boolean lowercase) throws IOException {
        byte[] bytes = readAll(in, source);
        if (bytes.length == 0) {
            throw new NasbertException("vocabulary " + source + " is empty; expected vocab.txt or tokenizer.json");
        }
        String text = decodeUtf8(bytes, source);
        if (source.endsWith(".json") || text.trim().startsWith("{")) {
            return fromTokenizerJson(text, source);
        }
        return fromVocabTxt(text, source, lowercase);
    }

    static WordPieceVocabulary fromVocabTxt(String text, String source, Boolean lowercase) throws IOException {
        List<String> lines = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(
                new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                lines.add(trimEnd(line));
            }
        }
        String[] tokens = lines.toArray(new String[0]);
        boolean lower = lowercase != null ? lowercase : !hasCasedPieces(tokens);
        List<String> added = new ArrayList<>();
        for (String special : BERT_SPECIALS) {
            if (Arrays.asList(tokens).contains(special)) {
                added.add(special);
            }
        }
        return new WordPieceVocabulary(source, tokens, NormalizerConfig.bert(lower), "[UNK]", "##", 100, added);
    }

    static WordPieceVocabulary fromTokenizerJson(String text, String source) throws IOException {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(text);
        } catch (IOException e) {
            throw new NasbertException("tokenizer " + source + " is not valid JSON: " + e.getMessage(), e);
        }
        JsonNode model = required(root, "model", source);
        if (!"WordPiece".equals(model.path("type").asText())) {
            throw new NasbertException("tokenizer " + source + ": model.type is '" + model.path("type").asText()
                    + "', expected 'WordPiece' (a BERT tokenizer)");
        }
        JsonNode vocab = required(model, "vocab", source);
        String[] tokens = new String[vocab.size()];
        for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            int id = entry.getValue().asInt(-1);
            if (id < 0 || id >= tokens.length || tokens[id] != null) {
                throw new NasbertException("tokenizer " + source + ": model.vocab maps '" + entry.getKey()
                        + "' to id " + entry.getValue() + "; expected distinct ids 0.." + (tokens.length - 1));
            }
            tokens[id] = entry.getKey();
        }
        NormalizerConfig normalizer = normalizer(root.path("normalizer"), source);
        String preTokenizer = root.path("pre_tokenizer").path("type").asText("");
        if (!"BertPreTokenizer".equals(preTokenizer)) {
            throw new NasbertException("tokenizer " + source + ": pre_tokenizer.type is '" + preTokenizer
                    + "', expected 'BertPreTokenizer'");
        }
        List<String> added = new ArrayList<>();
        for (JsonNode token : root.path("added_tokens")) {
            if (!token.path("normalized").asBoolean(false)) {
                added.add(token.path("content").asText());
            }
        }
        return new WordPieceVocabulary(source, tokens, normalizer,
                model.path("unk_token").asText("[UNK]"),
                model.path("continuing_subword_prefix").asText("##"),
                model.path("max_input_chars_per_word").asInt(100), added);
    }

    private static NormalizerConfig normalizer(JsonNode node, String source) {
        if (!"BertNormalizer".equals(node.path("type").asText())) {
            throw new NasbertException("tokenizer " + source + ": normalizer.type is '" + node.path("type").asText()
                    + "', expected 'BertNormalizer'");
        }
        boolean lowercase = node.path("lowercase").asBoolean(true);
        JsonNode strip = node.path("strip_accents");
        boolean stripAccents = strip.isBoolean() ? strip.asBoolean() : lowercase;
        return new NormalizerConfig(node.path("clean_text").asBoolean(true),
                node.path("handle_chinese_chars").asBoolean(true), stripAccents, lowercase);
    }

    private static JsonNode required(JsonNode node, String field, String source) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new NasbertException("tokenizer " + source + " has no '" + field + "' field");
        }
        return value;
    }

    private static boolean hasCasedPieces(String[] tokens) {
        for (String token : tokens) {
            if (token.startsWith("[") && token.endsWith("]")) {
                continue;
            }
            for (int i = 0; i < token.length(); i++) {
                // a letter that lower-casing changes ('ℝ' is upper-case but has no lower form: uncased vocabularies keep it)
                if (Character.toLowerCase(token.charAt(i)) != token.charAt(i)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String trimEnd(String line) {
        int end = line.length();
        while (end > 0 && Character.isWhitespace(line.charAt(end - 1))) {
            end--;
        }
        return line.substring(0, end);
    }

    private static byte[] readAll(InputStream in, String source) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        byte[] buffer = new byte[1 << 16];
        long total = 0;
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
            total += n;
            if (total > 64L << 20) {
                throw new NasbertException("vocabulary " + source + " is larger than 64 MB; expected vocab.txt or tokenizer.json");
            }
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    private static String decodeUtf8(byte[] bytes, String source) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new NasbertException("vocabulary " + source + " is not UTF-8 text (is it a binary file?)");
        }
    }

    public String source() {
        return source;
    }

    public int size() {
        return tokens.length;
    }

    public String token(int id) {
        return tokens[id];
    }

    /** The id of {@code token}, or -1. */
    public int id(String token) {
        Integer id = ids().get(token);
        return id == null ? -1 : id;
    }

    public int unknownId() {
        return id(unknownToken);
    }

    public int clsId() {
        return id("[CLS]");
    }

    public int sepId() {
        return id("[SEP]");
    }

    public int maskId() {
        return id("[MASK]");
    }

    public int padId() {
        return id("[PAD]");
    }

    public NormalizerConfig normalizer() {
        return normalizer;
    }

    String continuingPrefix() {
        return continuingPrefix;
    }

    int maxInputCharsPerWord() {
        return maxInputCharsPerWord;
    }

    List<String> addedTokens() {
        return Collections.unmodifiableList(Arrays.asList(addedTokens));
    }

    private Map<String, Integer> ids() {
        if (ids == null) {
            Map<String, Integer> map = new HashMap<>(tokens.length * 2);
            for (int i = 0; i < tokens.length; i++) {
                map.put(tokens[i], i);
            }
            ids = map;
        }
        return ids;
    }

    /** SHA-256 over everything that decides token ids: pieces in id order and the normaliser. */
    public String sha256() {
        MessageDigest digest = Sha256.digest();
        for (String token : tokens) {
            digest.update(token.getBytes(StandardCharsets.UTF_8));
            digest.update((byte) '\n');
        }
        digest.update((normalizer + "|" + unknownToken + "|" + continuingPrefix + "|" + maxInputCharsPerWord
                + "|" + Arrays.toString(addedTokens)).getBytes(StandardCharsets.UTF_8));
        return Sha256.hex(digest);
    }
}
