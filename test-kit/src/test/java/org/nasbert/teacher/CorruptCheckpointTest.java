package org.nasbert.teacher;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nasbert.NasbertException;
import org.nasbert.teacher.checkpoint.CheckpointException;
import org.nasbert.teacher.checkpoint.TfBundle;
import org.nasbert.teacher.checkpoint.WeightTensor;
import org.nasbert.testing.TestData;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Damaged checkpoints end in a {@link CheckpointException} that names the file and the problem, never in an
 * OutOfMemoryError, another exception, or a silently different model. Hand-made cases for each lie a file can
 * tell, then random truncations and byte flips.
 */
class CorruptCheckpointTest {
    private static final Configuration CONF = new Configuration();
    private static final BertConfig TINY = new BertConfig(20, 8, 2, 2, 16, 16, 2, 1e-12f);

    @TempDir
    File dir;

    private File tinyModel() {
        Map<String, WeightTensor> named = new LinkedHashMap<>();
        Random random = new Random(1);
        Map<String, int[]> shapes = BertWeights.expectedShapes(TINY);
        for (Map.Entry<String, int[]> e : shapes.entrySet()) {
            float[] data = new float[(int) WeightTensor.elements(e.getValue())];
            for (int i = 0; i < data.length; i++) {
                data[i] = (float) random.nextGaussian();
            }
            named.put(e.getKey(), new WeightTensor(e.getKey(), e.getValue(), data));
        }
        File model = new File(dir, "tiny-" + System.nanoTime());
        HuggingFaceExport.write(BertWeights.of(TINY, named, "tiny"), null, new Path(model.toURI()), CONF);
        return model;
    }

    private static CheckpointException failsToOpen(File model, String... fragments) {
        CheckpointException e = assertThrows(CheckpointException.class, () -> TeacherCheckpoint.open(model.getPath(), CONF));
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), "message '" + e.getMessage() + "' lacks '" + fragment + "'");
        }
        return e;
    }

    private static void rewriteHeader(File model, UnaryOperator<String> edit) throws IOException {
        File file = new File(model, "model.safetensors");
        byte[] bytes = Files.readAllBytes(file.toPath());
        int n = (int) ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        String header = edit.apply(new String(bytes, 8, n, StandardCharsets.UTF_8));
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(8 + h.length + bytes.length - 8 - n).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(h.length).put(h).put(bytes, 8 + n, bytes.length - 8 - n);
        Files.write(file.toPath(), out.array());
    }

    @Test
    void aTinyModelOpensWhenIntact() {
        assertEquals(TINY.toString(), TeacherCheckpoint.open(tinyModel().getPath(), CONF).config().toString());
    }

    @Test
    void safetensorsHeaderLengthThatLies() throws IOException {
        File model = tinyModel();
        try (RandomAccessFile f = new RandomAccessFile(new File(model, "model.safetensors"), "rw")) {
            f.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(Long.MAX_VALUE / 2).array());
        }
        failsToOpen(model, "model.safetensors", "header length");
    }

    @Test
    void safetensorsTruncated() throws IOException {
        File model = tinyModel();
        File file = new File(model, "model.safetensors");
        try (RandomAccessFile f = new RandomAccessFile(file, "rw")) {
            f.setLength(f.length() - 10);
        }
        failsToOpen(model, "model.safetensors", "outside");
    }

    @Test
    void safetensorsOffsetsThatOverlapOrDisagreeWithTheShape() throws IOException {
        File model = tinyModel();
        rewriteHeader(model, h -> {
            int second = h.indexOf("\"data_offsets\":[", h.indexOf("\"data_offsets\":[") + 1) + "\"data_offsets\":[".length();
            return h.substring(0, second) + "4" + h.substring(h.indexOf(',', second));
        });
        failsToOpen(model, "model.safetensors");
        File other = tinyModel();
        rewriteHeader(other, h -> h.replaceFirst("\"shape\":\\[20,8]", "\"shape\":[20,9]"));
        failsToOpen(other, "bert.embeddings.word_embeddings.weight", "needs");
    }

    @Test
    void safetensorsUnknownDtypeAndBrokenJson() throws IOException {
        File model = tinyModel();
        rewriteHeader(model, h -> h.replaceFirst("\"F32\"", "\"F8_E4M3\""));
        failsToOpen(model, "dtype F8_E4M3");
        File broken = tinyModel();
        rewriteHeader(broken, h -> h.substring(0, h.length() / 2));
        failsToOpen(broken, "not valid JSON");
    }

    @Test
    void missingExtraAndMisshapenTensors() throws IOException {
        File model = tinyModel();
        rewriteHeader(model, h -> h.replace("bert.encoder.layer.1.output.dense.bias", "bert.encoder.layer.1.output.dense.bogus"));
        CheckpointException e = failsToOpen(model, "missing", "bert.encoder.layer.1.output.dense.bias");
        assertTrue(e.getMessage().contains("1 tensor(s) missing"), e.getMessage());

        File extra = tinyModel();
        rewriteHeader(extra, h -> h.replace("bert.encoder.layer.1.", "bert.encoder.layer.7."));
        failsToOpen(extra, "missing");

        File config = tinyModel();
        Files.write(new File(config, "config.json").toPath(), new String(Files.readAllBytes(new File(config, "config.json").toPath()),
                StandardCharsets.UTF_8).replace("\"num_hidden_layers\":2", "\"num_hidden_layers\":1")
                .replace("\"num_hidden_layers\" : 2", "\"num_hidden_layers\" : 1").getBytes(StandardCharsets.UTF_8));
        failsToOpen(config, "does not have", "bert.encoder.layer.1.");

        File heads = tinyModel();
        Files.write(new File(heads, "config.json").toPath(), new String(Files.readAllBytes(new File(heads, "config.json").toPath()),
                StandardCharsets.UTF_8).replaceAll("\"hidden_size\"\\s*:\\s*8", "\"hidden_size\":10").getBytes(StandardCharsets.UTF_8));
        failsToOpen(heads, "needs");
    }

    @Test
    void randomSafetensorsDamageIsAnErrorOrHarmless() throws IOException {
        File model = tinyModel();
        File file = new File(model, "model.safetensors");
        byte[] good = Files.readAllBytes(file.toPath());
        int header = (int) ByteBuffer.wrap(good, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong() + 8;
        Random random = new Random(3);
        int errors = 0;
        for (int i = 0; i < 300; i++) {
            byte[] bad = good.clone();
            if (i % 3 == 0) {
                bad = Arrays.copyOf(good, random.nextInt(good.length));
            } else {
                // the format has no checksum, so only the structure (length + header) can be checked
                bad[random.nextInt(header)] ^= (byte) (1 << random.nextInt(8));
            }
            Files.write(file.toPath(), bad);
            try {
                TeacherCheckpoint.open(model.getPath(), CONF);
                assertTrue(i % 3 != 0, "a truncated file must not load");
            } catch (CheckpointException e) {
                assertTrue(e.getMessage().contains("model.safetensors") || e.getMessage().contains("BERT config"), e.getMessage());
                errors++;
            }
        }
        assertTrue(errors >= 100, errors + " of 300 damaged files were refused");
    }

    @Test
    void randomTensorFlowIndexDamageIsAnErrorOrChangesNothing() throws IOException {
        File bert = prepareBertBaseIndexCopy();
        File index = new File(bert, "variables.index");
        byte[] good = Files.readAllBytes(index.toPath());
        FileSystem fs = FileSystem.getLocal(CONF);
        Map<String, int[]> shapes = new TfBundle(fs, new Path(bert.getPath(), "variables")).shapes();
        Random random = new Random(5);
        int refused = 0;
        for (int i = 0; i < 300; i++) {
            byte[] bad = i % 3 == 0 ? Arrays.copyOf(good, random.nextInt(good.length)) : good.clone();
            if (i % 3 != 0) {
                bad[random.nextInt(bad.length)] ^= (byte) (1 << random.nextInt(8));
            }
            Files.write(index.toPath(), bad);
            try {
                Map<String, int[]> read = new TfBundle(fs, new Path(bert.getPath(), "variables")).shapes();
                assertTrue(i % 3 != 0, "a truncated index must not load");
                assertEquals(shapes.keySet(), read.keySet());
                shapes.forEach((k, v) -> assertArrayEquals(v, read.get(k), k));
            } catch (CheckpointException e) {
                assertTrue(e.getMessage().contains("variables.index"), e.getMessage());
                refused++;
            }
        }
        assertTrue(refused >= 290, refused + " of 300 damaged indexes were refused (only footer padding is unchecked)");
    }

    @Test
    void tensorFlowDataCorruptionAndTruncationAreCaught() throws IOException {
        File bert = prepareBertBaseIndexCopy();
        File data = new File(bert, "variables.data-00000-of-00001");
        FileSystem fs = FileSystem.getLocal(CONF);
        TfBundle bundle = new TfBundle(fs, new Path(bert.getPath(), "variables"));
        // the copy holds the first 64 KB of the real data file: the first variables fit, the word embeddings do not
        WeightTensor beta = bundle.read("module/bert/embeddings/LayerNorm/beta");
        assertEquals(768, beta.data().length);
        CheckpointException truncated = assertThrows(CheckpointException.class, () -> bundle.read("module/bert/embeddings/word_embeddings"));
        assertTrue(truncated.getMessage().contains("truncated"), truncated.getMessage());
        try (RandomAccessFile f = new RandomAccessFile(data, "rw")) {
            f.seek(100);
            int b = f.read();
            f.seek(100);
            f.write(b ^ 0x10);
        }
        CheckpointException flipped = assertThrows(CheckpointException.class, () -> bundle.read("module/bert/embeddings/LayerNorm/beta"));
        assertTrue(flipped.getMessage().contains("checksum"), flipped.getMessage());
    }

    @Test
    void onnxTruncatedOrFlippedIsAnErrorOrLoads() throws IOException {
        byte[] good = TestData.minilmOnnxBytes();
        File file = new File(dir, "model.onnx");
        Random random = new Random(9);
        for (int i = 0; i < 24; i++) {
            byte[] bad;
            if (i % 2 == 0) {
                bad = Arrays.copyOf(good, random.nextInt(good.length));
            } else {
                bad = good.clone();
                for (int k = 0; k < 20; k++) {
                    bad[random.nextInt(bad.length)] ^= (byte) (1 << random.nextInt(8));
                }
            }
            Files.write(file.toPath(), bad);
            try {
                TeacherCheckpoint.open(file.getPath(), CONF);
                assertTrue(i % 2 == 1, "a truncated model must not load");
            } catch (NasbertException e) {
                assertTrue(e.getMessage().contains("model.onnx"), e.getMessage());
            }
        }
    }

    @Test
    void notACheckpointAtAll() throws IOException {
        File empty = new File(dir, "empty");
        assertTrue(empty.mkdir());
        failsToOpen(empty, "holds no model");
        Files.write(new File(empty, "pytorch_model.bin").toPath(), new byte[]{1, 2, 3});
        failsToOpen(empty, "pickle");
        failsToOpen(new File(dir, "nowhere"), "does not exist");
        File text = new File(dir, "x.onnx");
        Files.write(text.toPath(), "hello".getBytes(StandardCharsets.UTF_8));
        failsToOpen(text, "x.onnx");
    }

    /** The real BERT-base index with the first 64 KB of its data file, in a directory of its own. */
    private File prepareBertBaseIndexCopy() throws IOException {
        File source = new File(ModelFiles.locate(TestData.BERT_BASE, CONF).path().toUri().getPath(), "variables");
        File copy = new File(dir, "bert-" + System.nanoTime());
        assertTrue(copy.mkdirs());
        Files.copy(new File(source, "variables.index").toPath(), new File(copy, "variables.index").toPath());
        byte[] head = new byte[64 << 10];
        try (RandomAccessFile f = new RandomAccessFile(new File(source, "variables.data-00000-of-00001"), "r")) {
            f.readFully(head);
        }
        Files.write(new File(copy, "variables.data-00000-of-00001").toPath(), head);
        return copy;
    }
}
