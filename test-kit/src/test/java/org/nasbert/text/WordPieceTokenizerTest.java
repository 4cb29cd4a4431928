package org.nasbert.text;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nasbert.testing.HuggingFaceReference;
import org.nasbert.testing.TestData;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Our WordPiece ids against Hugging Face's Rust tokenizer on the same tokenizer.json. */
class WordPieceTokenizerTest {
    private static HuggingFaceReference reference;
    private static WordPieceTokenizer tokenizer;

    @BeforeAll
    static void load() throws IOException {
        reference = HuggingFaceReference.minilm();
        tokenizer = new WordPieceTokenizer(TestData.minilmVocabulary());
    }

    @AfterAll
    static void close() {
        reference.close();
    }

    @Test
    void givesHuggingFaceIdsOnEveryLineOfTheShippedCorpus() throws IOException {
        int lines = 0;
        long tokens = 0;
        File[] files = TestData.mobyDick().listFiles();
        Arrays.sort(files);
        for (File file : files) {
            for (String line : Files.readAllLines(file.toPath(), StandardCharsets.UTF_8)) {
                int[] expected = reference.encode(line);
                assertArrayEquals(expected, tokenizer.encode(line), () -> file.getName() + ": " + line);
                lines++;
                tokens += expected.length;
            }
        }
        assertTrue(lines > 5000 && tokens > 250_000, lines + " lines, " + tokens + " tokens");
    }

    @Test
    void givesHuggingFaceIdsOnAccentsScriptsSymbolsAndControlCharacters() {
        List<String> texts = Arrays.asList(
                "Héllo Wörld! Ça va? Straße naïve façade résumé Ångström",
                "İstanbul ΣΊΣΥΦΟΣ Οδυσσεύς ǅemal ﬁnancial ＦＵＬＬＷＩＤＴＨ ℌ",
                "北京欢迎你 東京 野口里佳 Noguchi Rika 한국어 텍스트 日本語のテキスト",
                "emoji 😀👍🏽 family 👨‍👩‍👧 flags 🇺🇸 ♥ ☃ ∑ √ ∞ € £ ¥ ©®™",
                "tabs\tand\nnewlines\r\nand\u000bvertical\u000cform\u0085next\u2028line\u2029para",
                "zero\u200bwidth\u200dspace soft\u00adhyphen no\u00a0break thin\u2009space bom\ufeffhere",
                "nul\u0000char replacement\ufffdchar private\ue000use",
                "combining e\u0301 a\u0308 n\u0303 c\u0327 stacked a\u0301\u0323\u0308",
                "Arabic العربية Hebrew עברית Hindi हिन्दी Thai ภาษาไทย Tamil தமிழ்",
                "punctuation: «quotes» „low“ ‘single’ — en–dash … ellipsis ¿¡ ·•※ ‽ ⁂",
                "math x²+y³=z¹ ½ ¼ ⅓ Ⅻ ① ⑴ ㈠",
                "The capital of France is [MASK]. [CLS] a [SEP] b [PAD] [UNK] [mask] [MASK][MASK]x[SEP]",
                "supercalifragilisticexpialidocious antidisestablishmentarianism pneumonoultramicroscopic",
                "a".repeat(100) + " " + "b".repeat(101) + " " + "é".repeat(100) + " " + "é".repeat(101),
                "$100 + <tag> = ^caret^ `tick` |pipe| ~tilde~ _under_ @at #hash %pct &amp; *star*",
                "   leading and trailing spaces   ",
                "",
                "\u0130\u0049\u0131 dotted I and dotless i, ΑΣ final sigma ΟΔΟΣ.");
        for (String text : texts) {
            assertArrayEquals(reference.encode(text), tokenizer.encode(text), text);
        }
    }

    @Test
    void givesHuggingFaceIdsForEveryUnicodeCodePoint() {
        List<Integer> mismatches = new ArrayList<>();
        StringBuilder batch = new StringBuilder();
        List<Integer> batchPoints = new ArrayList<>();
        for (int cp = 0; cp <= 0x10FFFF; cp++) {
            if (cp >= 0xD800 && cp <= 0xDFFF) {
                continue;
            }
            batch.append("q").appendCodePoint(cp).append("z ");
            batchPoints.add(cp);
            if (batchPoints.size() == 256 || cp == 0x10FFFF) {
                if (!Arrays.equals(reference.encode(batch.toString()), tokenizer.encode(batch.toString()))) {
                    for (int p : batchPoints) {
                        String one = "q" + new String(Character.toChars(p)) + "z";
                        if (!Arrays.equals(reference.encode(one), tokenizer.encode(one))) {
                            mismatches.add(p);
                        }
                    }
                }
                batch.setLength(0);
                batchPoints.clear();
            }
        }
        assertEquals(new ArrayList<Integer>(), hex(mismatches));
    }

    private static List<String> hex(List<Integer> points) {
        List<String> out = new ArrayList<>();
        for (int p : points) {
            String one = "q" + new String(Character.toChars(p)) + "z";
            out.add(String.format("U+%04X %s: expected %s, got %s", p, Character.getName(p),
                    Arrays.toString(reference.encode(one)), Arrays.toString(tokenizer.encode(one))));
        }
        return out;
    }

    @Test
    void cutsWordsIntoLongestPiecesAndMarksContinuations() {
        WordPieceVocabulary vocabulary = TestData.minilmVocabulary();
        int[] ids = tokenizer.encode("unaffable");
        List<String> pieces = new ArrayList<>();
        for (int id : ids) {
            pieces.add(vocabulary.token(id));
        }
        assertEquals(Arrays.asList("una", "##ffa", "##ble"), pieces);
    }
}
