package org.nasbert.text;

import org.junit.jupiter.api.Test;
import org.nasbert.testing.TestData;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SentenceSplitterTest {
    private final SentenceSplitter splitter = new SentenceSplitter();

    private List<String> sentences(String line) {
        IntList ends = new IntList();
        splitter.split(line, ends);
        List<String> out = new ArrayList<>();
        int from = 0;
        for (int i = 0; i < ends.size(); i++) {
            out.add(line.substring(from, ends.get(i)));
            from = ends.get(i);
        }
        return out;
    }

    @Test
    void splitsAfterTerminalPunctuationBeforeACapital() {
        assertEquals(Arrays.asList("Call me Ishmael. ", "Some years ago I went to sea! ", "Why? ", "\"Because,\" he said."),
                sentences("Call me Ishmael. Some years ago I went to sea! Why? \"Because,\" he said."));
    }

    @Test
    void keepsAbbreviationsInitialsAndLowerCaseContinuationsTogether() {
        assertEquals(Arrays.asList("Mr. Starbuck met Dr. J. Smith at 3 p.m. on the deck. ", "Then he left."),
                sentences("Mr. Starbuck met Dr. J. Smith at 3 p.m. on the deck. Then he left."));
        assertEquals(Arrays.asList("The value is 3.14 and rising... slowly."),
                sentences("The value is 3.14 and rising... slowly."));
    }

    @Test
    void closingQuotesStayWithTheirSentence() {
        assertEquals(Arrays.asList("\u201CAhoy!\u201D ", "\u201CWho goes there?\u201D ", "(He waited.) ", "Nothing."),
                sentences("\u201CAhoy!\u201D \u201CWho goes there?\u201D (He waited.) Nothing."));
    }

    @Test
    void tokenizingSentenceBySentenceGivesTheIdsOfTheWholeLine() throws Exception {
        WordPieceTokenizer tokenizer = new WordPieceTokenizer(TestData.minilmVocabulary());
        int sentences = 0;
        for (File file : TestData.mobyDick().listFiles()) {
            for (String line : Files.readAllLines(file.toPath(), StandardCharsets.UTF_8)) {
                IntList joined = new IntList();
                IntList ends = new IntList();
                splitter.split(line, ends);
                int from = 0;
                for (int i = 0; i < ends.size(); i++) {
                    tokenizer.encode(line, from, ends.get(i), joined);
                    from = ends.get(i);
                }
                sentences += ends.size();
                assertArrayEquals(tokenizer.encode(line), joined.toArray(), line);
            }
        }
        assertTrue(sentences > 9000, "sentences: " + sentences);
    }
}
