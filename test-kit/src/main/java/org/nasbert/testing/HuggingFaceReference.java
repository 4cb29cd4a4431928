package org.nasbert.testing;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Hugging Face's own tokenizer (the Rust "tokenizers" library, through DJL's JNI binding): the
 * independent reference that our WordPiece ids are checked against.
 */
public final class HuggingFaceReference implements AutoCloseable {
    private final HuggingFaceTokenizer tokenizer;

    private HuggingFaceReference(HuggingFaceTokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** The MiniLM tokenizer.json, with its padding and truncation switched off and no special tokens added. */
    public static HuggingFaceReference minilm() throws IOException {
        Path dir = Files.createTempDirectory("hf-tokenizer");
        Path json = TestData.minilmTokenizerFile(dir);
        try {
            return fromTokenizerJson(json);
        } finally { // the tokenizer holds what it read; the copy would only pile up in the temp dir
            Files.delete(json);
            Files.delete(dir);
        }
    }

    /** Any tokenizer.json, with its padding and truncation switched off and no special tokens added. */
    public static HuggingFaceReference fromTokenizerJson(Path json) throws IOException {
        return new HuggingFaceReference(HuggingFaceTokenizer.builder()
                .optTokenizerPath(json)
                .optAddSpecialTokens(false)
                .optTruncation(false)
                .optPadding(false)
                .build());
    }

    public int[] encode(String text) {
        Encoding encoding = tokenizer.encode(text, false, false);
        long[] ids = encoding.getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = (int) ids[i];
        }
        return out;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
