package org.nasbert.bench;

import org.nasbert.teacher.TeacherSettings;
import org.apache.hadoop.conf.Configuration;
import org.nasbert.conf.Settings;
import org.nasbert.io.ResourceLocator;
import org.nasbert.testing.HuggingFaceReference;
import org.nasbert.text.WordPieceTokenizer;
import org.nasbert.text.WordPieceVocabulary;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * Checks our WordPiece ids against Hugging Face's own (Rust) tokenizer on every line of a corpus:
 * {@code bin/nasbert verify-tokenizer --input DIR [--vocab tokenizer.json]}. Exit 1 on any difference.
 */
final class VerifyTokenizer {
    private VerifyTokenizer() {
    }

    public static void main(String[] args) throws Exception {
        String input = TokenizeBenchmark.stringArg(args, "--input", null);
        if (input == null) {
            System.err.println("usage: bin/nasbert verify-tokenizer --input PATH[,PATH...] [--vocab tokenizer.json location]");
            System.exit(2);
        }
        String vocabLocation = TokenizeBenchmark.stringArg(args, "--vocab", Settings.defaults().get(TeacherSettings.VOCAB));
        WordPieceVocabulary vocabulary;
        Path json = Files.createTempDirectory("verify-tokenizer").resolve("tokenizer.json");
        try (InputStream in = new ResourceLocator(new Configuration()).open(vocabLocation)) {
            Files.copy(in, json);
        }
        try (InputStream in = Files.newInputStream(json)) {
            vocabulary = WordPieceVocabulary.read(in, vocabLocation, null);
        }
        WordPieceTokenizer ours = new WordPieceTokenizer(vocabulary);
        long lines = 0;
        long tokens = 0;
        long mismatches = 0;
        long undecodable = 0;
        try (HuggingFaceReference reference = HuggingFaceReference.fromTokenizerJson(json)) {
            for (Path file : files(input)) {
                int lineNumber = 0;
                try (BufferedReader reader = new BufferedReader(new InputStreamReader(open(file), StandardCharsets.ISO_8859_1))) {
                    for (String raw = reader.readLine(); raw != null; raw = reader.readLine()) {
                        lineNumber++;
                        String line = utf8(raw);
                        if (line == null) {
                            undecodable++;
                            continue;
                        }
                        int[] expected = reference.encode(line);
                        int[] actual = ours.encode(line);
                        lines++;
                        tokens += expected.length;
                        if (!Arrays.equals(expected, actual)) {
                            if (++mismatches <= 10) {
                                System.out.printf("MISMATCH %s:%d%n  text: %s%n  hf:   %s%n  ours: %s%n", file, lineNumber,
                                        line, Arrays.toString(expected), Arrays.toString(actual));
                            }
                        }
                    }
                }
            }
        }
        System.out.printf("verify-tokenizer: %,d lines, %,d tokens compared with Hugging Face's tokenizer (%s): "
                + "%,d mismatches; %,d lines not UTF-8 (not compared)%n", lines, tokens, vocabLocation, mismatches, undecodable);
        System.exit(mismatches == 0 ? 0 : 1);
    }

    private static List<Path> files(String input) throws Exception {
        List<Path> files = new ArrayList<>();
        for (String part : input.split(",")) {
            try (Stream<Path> walk = Files.walk(Paths.get(part.trim()))) {
                files.addAll(walk.filter(Files::isRegularFile).sorted().collect(Collectors.toList()));
            }
        }
        return files;
    }

    private static InputStream open(Path file) throws Exception {
        InputStream in = Files.newInputStream(file);
        return file.toString().endsWith(".gz") ? new GZIPInputStream(in) : in;
    }

    /** The line's bytes (read as ISO-8859-1, one char per byte) decoded strictly as UTF-8, or null. */
    private static String utf8(String latin1) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(latin1.getBytes(StandardCharsets.ISO_8859_1))).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
