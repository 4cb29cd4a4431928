package org.nasbert.teacher;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.nasbert.NasbertException;
import org.nasbert.teacher.checkpoint.SafeTensors;
import org.nasbert.text.WordPieceVocabulary;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.UUID;

/**
 * Writes BERT weights as a Hugging Face model directory that {@code BertForMaskedLM.from_pretrained} (or
 * {@code BertModel}) loads: {@code config.json}, {@code model.safetensors} (F32, names as Hugging Face spells
 * them), {@code vocab.txt}. The directory appears whole or not at all: it is written beside the target and
 * renamed into place.
 */
public final class HuggingFaceExport {
    private HuggingFaceExport() {
    }

    public static void write(BertWeights weights, WordPieceVocabulary vocabulary, Path target, Configuration conf) {
        try {
            FileSystem fs = target.getFileSystem(conf);
            if (fs instanceof LocalFileSystem) {
                fs = ((LocalFileSystem) fs).getRaw(); // no .crc side files in a directory meant for other tools
            }
            if (fs.exists(target)) {
                throw new NasbertException("export target " + target + " already exists; remove it or choose another");
            }
            Path tmp = new Path(target.getParent(), "_tmp-" + target.getName() + "-" + UUID.randomUUID());
            fs.mkdirs(tmp);
            try {
                write(fs, new Path(tmp, "config.json"), weights.config().toJson());
                try (FSDataOutputStream out = fs.create(new Path(tmp, "model.safetensors"), false)) {
                    SafeTensors.write(weights.all(), Collections.singletonMap("format", "pt"), false, out);
                }
                if (vocabulary != null) {
                    writeVocabulary(fs, new Path(tmp, VOCAB), vocabulary);
                }
                if (!fs.rename(tmp, target)) {
                    throw new IOException("cannot rename " + tmp + " to " + target);
                }
            } finally {
                fs.delete(tmp, true);
            }
        } catch (IOException e) {
            throw new NasbertException("cannot export to " + target + ": " + e.getMessage(), e);
        }
    }

    private static void write(FileSystem fs, Path file, byte[] bytes) throws IOException {
        try (FSDataOutputStream out = fs.create(file, false)) {
            out.write(bytes);
        }
    }

    public static final String VOCAB = "vocab.txt";

    /** vocab.txt: one piece per line, line number = id. */
    public static void writeVocabulary(FileSystem fs, Path file, WordPieceVocabulary vocabulary) throws IOException {
        try (OutputStream out = fs.create(file, false)) {
            StringBuilder text = new StringBuilder();
            for (int id = 0; id < vocabulary.size(); id++) {
                text.append(vocabulary.token(id)).append('\n');
            }
            out.write(text.toString().getBytes(StandardCharsets.UTF_8));
        }
    }
}
