package org.nasbert.prep;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.spark.SerializableWritable;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nasbert.NasbertException;
import org.nasbert.conf.Settings;
import org.nasbert.stage.StageResult;
import org.nasbert.stage.StageRunner;
import org.nasbert.testing.HuggingFaceReference;
import org.nasbert.testing.LocalSpark;
import org.nasbert.testing.TestData;
import org.nasbert.text.PackedSequence;
import org.nasbert.text.WordPieceVocabulary;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The tokenize stage on Spark local[2], on the shipped corpus and on deliberately broken input. */
class TokenizeStageTest {
    private static SparkSession spark;
    private static HuggingFaceReference reference;

    @TempDir
    Path temp;

    @BeforeAll
    static void start() throws IOException {
        spark = LocalSpark.session();
        reference = HuggingFaceReference.minilm();
    }

    @AfterAll
    static void close() {
        reference.close();
    }

    static StageResult tokenize(Path run, String input, boolean force, String... overrides) throws Exception {
        Settings settings = Settings.defaults()
                .with("run.dir", run.toString(), "test")
                .with("tokenize.input", input, "test");
        for (int i = 0; i < overrides.length; i += 2) {
            settings = settings.with(overrides[i], overrides[i + 1], "test");
        }
        return StageRunner.run(new TokenizeStage(), settings, spark, force);
    }

    @Test
    void packsTheShippedCorpusIntoBertSequencesWhoseCountsAddUp() throws Exception {
        Path run = temp.resolve("run");
        StageResult result = tokenize(run, TestData.mobyDick().toString(), false);
        JsonNode m = result.manifest;
        JsonNode counts = m.path("counts");

        // Every line of the corpus is valid text: the token total equals Hugging Face's over all lines.
        long hfTokens = 0;
        long nonBlankLines = 0;
        for (File file : TestData.mobyDick().listFiles()) {
            for (String line : Files.readAllLines(file.toPath(), StandardCharsets.UTF_8)) {
                if (!line.trim().isEmpty()) {
                    nonBlankLines++;
                    hfTokens += reference.encode(line).length;
                }
            }
        }
        assertEquals(138, counts.path("files").asLong());
        assertEquals(138, counts.path("files_read").asLong());
        assertEquals(138, counts.path("documents").asLong(), "file mode: one document per chapter");
        assertEquals(nonBlankLines, counts.path("lines").asLong());
        assertEquals(hfTokens, counts.path("tokens").asLong());
        assertEquals(counts.path("tokens").asLong(),
                counts.path("tokens_in_sequences").asLong() + counts.path("tokens_truncated").asLong());
        for (JsonNode skipped : m.path("skipped")) {
            assertEquals(0, skipped.asLong());
        }

        Dataset<Row> rows = spark.read().parquet(result.output + "/data");
        // The reference: what Spark's own Parquet writer of the documented schema reads back as.
        Path reference = temp.resolve("spark-written");
        spark.createDataFrame(Collections.singletonList(RowFactory.create(new int[]{101, 7, 102},
                new int[]{0, 0, 0}, 3, 1L, 0)), CorpusSchema.SCHEMA).write().parquet(reference.toString());
        assertEquals(spark.read().parquet(reference.toString()).schema(), rows.schema());
        String[] written = new File(new File(result.output.toUri()), "data").list((dir, name) -> !name.startsWith("."));
        Arrays.sort(written);
        assertArrayEquals(new String[]{"_SUCCESS", "part-00000.snappy.parquet", "part-00001.snappy.parquet"}, written,
                "one file per input split, no task attempt left");
        long sequences = counts.path("sequences").asLong();
        assertEquals(sequences, rows.count());
        Row sums = rows.selectExpr("sum(num_tokens)", "max(num_tokens)", "count(distinct doc_id)").first();
        assertEquals(counts.path("tokens_in_sequences").asLong() + 2 * sequences
                + counts.path("sequences_with_segment_b").asLong(), sums.getLong(0));
        assertTrue(sums.getInt(1) <= 128);
        assertEquals(138, sums.getLong(2));
        WordPieceVocabulary vocab = TestData.minilmVocabulary();
        for (Row row : rows.collectAsList()) {
            assertWellFormed(row, vocab);
        }
        // BERT's packing overshoots its target by part of a sentence and trims it: a minority of tokens.
        assertTrue(counts.path("tokens_truncated").asLong() < counts.path("tokens").asLong() / 5);
        assertTrue(new File(run.toFile(), "corpus/_SUCCESS").isFile());
        assertEquals(run.resolve("corpus").toFile(), new File(result.output.toUri()));
    }

    static void assertWellFormed(Row row, WordPieceVocabulary vocab) {
        List<Integer> ids = row.getList(row.fieldIndex("input_ids"));
        List<Integer> types = row.getList(row.fieldIndex("token_type_ids"));
        assertEquals(ids.size(), row.getInt(row.fieldIndex("num_tokens")));
        assertEquals(ids.size(), types.size());
        assertEquals(vocab.clsId(), (int) ids.get(0));
        assertEquals(vocab.sepId(), (int) ids.get(ids.size() - 1));
        int seps = 0;
        int firstSep = -1;
        for (int i = 0; i < ids.size(); i++) {
            if (ids.get(i) == vocab.sepId()) {
                seps++;
                if (firstSep < 0) {
                    firstSep = i;
                }
            }
            assertTrue(ids.get(i) != vocab.padId() && ids.get(i) != vocab.clsId() || i == 0);
        }
        assertTrue(seps == 1 || seps == 2, "one or two [SEP]s: " + ids);
        for (int i = 0; i < types.size(); i++) {
            assertEquals(i <= firstSep ? 0 : 1, (int) types.get(i), "token types " + types);
        }
    }

    @Test
    void givesTheSameSequencesHoweverTheInputIsSplitAcrossTasks() throws Exception {
        // One big file of blank-line-separated documents, read as one split and as ~60 splits.
        Path corpus = temp.resolve("paragraphs.txt");
        StringBuilder text = new StringBuilder();
        int paragraphs = 0;
        for (File file : sorted(TestData.mobyDick().listFiles())) {
            String chapter = new String(Files.readAllBytes(file.toPath()), StandardCharsets.UTF_8);
            text.append(chapter.replace("\n\n", "\n  \t\n\n")).append("\n\n\n");
        }
        Files.write(corpus, text.toString().getBytes(StandardCharsets.UTF_8));
        for (String block : text.toString().split("\n(?:[ \t]*\n)+")) {
            if (!block.trim().isEmpty()) {
                paragraphs++;
            }
        }
        StageResult whole = tokenize(temp.resolve("whole"), corpus.toString(), false,
                "tokenize.document", "paragraphs", "tokenize.segment", "line");
        spark.sparkContext().hadoopConfiguration().setLong("mapreduce.input.fileinputformat.split.maxsize", 32 << 10);
        StageResult split;
        try {
            split = tokenize(temp.resolve("split"), corpus.toString(), false,
                    "tokenize.document", "paragraphs", "tokenize.segment", "line", "tokenize.partitions", "7");
        } finally {
            spark.sparkContext().hadoopConfiguration().unset("mapreduce.input.fileinputformat.split.maxsize");
        }
        assertEquals(paragraphs, whole.manifest.path("counts").path("documents").asLong());
        assertEquals(whole.manifest.path("counts"), split.manifest.path("counts"));
        assertEquals(sequenceSet(whole), sequenceSet(split));
        File[] parts = new File(new File(split.output.toUri()), "data").listFiles((dir, name) -> name.startsWith("part-"));
        assertEquals(7, parts.length, "tokenize.partitions Parquet files");
    }

    private static Set<String> sequenceSet(StageResult result) {
        Set<String> set = new HashSet<>();
        for (Row row : spark.read().parquet(result.output + "/data").collectAsList()) {
            set.add(row.getLong(row.fieldIndex("doc_id")) + "/" + row.getInt(row.fieldIndex("index_in_doc")) + "/"
                    + row.getList(row.fieldIndex("input_ids")));
        }
        return set;
    }

    @Test
    void onlyTheAttemptSparkReturnedIsMovedIntoPlaceAndTheOthersAreDropped() throws Exception {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        org.apache.hadoop.fs.Path data = new org.apache.hadoop.fs.Path(temp.resolve("data").toUri());
        List<TokenizedItem> items = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            items.add(TokenizedItem.of(new PackedSequence(1000L + i, i, new int[]{101, 2000 + i, 102, 3000 + i, 102}, 3)));
        }
        Broadcast<SerializableWritable<Configuration>> conf =
                jsc.broadcast(new SerializableWritable<>(spark.sparkContext().hadoopConfiguration()));
        SequenceParts writer = new SequenceParts(conf, data, CompressionCodecName.SNAPPY);
        // a first run whose results are lost, as when a driver loses a task's result; then the run that counts
        jsc.parallelize(items, 2).mapPartitionsWithIndex(writer, false).collect();
        List<SequenceParts.Part> parts = jsc.parallelize(items, 2).mapPartitionsWithIndex(writer, false).collect();
        assertEquals(4, temp.resolve("data/_temporary").toFile().list((dir, name) -> name.endsWith(".parquet")).length);

        SequenceParts.commit(FileSystem.getLocal(spark.sparkContext().hadoopConfiguration()), data, parts,
                CompressionCodecName.SNAPPY);
        assertFalse(Files.exists(temp.resolve("data/_temporary")));
        List<Row> rows = spark.read().parquet(data.toString()).orderBy("doc_id").collectAsList();
        assertEquals(10, rows.size());
        for (int i = 0; i < 10; i++) {
            assertEquals(Arrays.asList(101, 2000 + i, 102, 3000 + i, 102), rows.get(i).getList(0));
            assertEquals(Arrays.asList(0, 0, 0, 1, 1), rows.get(i).getList(1));
            assertEquals(5, rows.get(i).getInt(2));
            assertEquals(i, rows.get(i).getInt(4));
        }
    }

    @Test
    void countsAndSkipsBadInputWithItsReason() throws Exception {
        Path in = Files.createDirectories(temp.resolve("bad-input"));
        Files.write(in.resolve("good.txt"), "A good line of text.\nAnother one.\n".getBytes(StandardCharsets.UTF_8));
        Files.write(in.resolve("empty.txt"), new byte[0]);
        Files.write(in.resolve("binary.dat"), new byte[]{'P', 'K', 3, 4, 0, 0, 1, 2, 'x', '\n'});
        Files.write(in.resolve("latin1.txt"), concat("caf".getBytes(StandardCharsets.US_ASCII), new byte[]{(byte) 0xE9},
                "\nclean line\n".getBytes(StandardCharsets.UTF_8)));
        StringBuilder longLine = new StringBuilder();
        for (int i = 0; i < 300; i++) {
            longLine.append("word ");
        }
        Files.write(in.resolve("long.txt"), ("short line\n" + longLine + "\n").getBytes(StandardCharsets.UTF_8));
        Files.write(in.resolve("punctuation-free.txt"), "\u0001\u0002\nreal words\n".getBytes(StandardCharsets.UTF_8));
        StringBuilder gzText = new StringBuilder();
        for (int i = 0; i < 3000; i++) {
            gzText.append("line ").append(i).append(" of the file, number ").append((long) i * i * 7919).append('\n');
        }
        byte[] gz = gzip(gzText.toString());
        Files.write(in.resolve("good.txt.gz"), gz);
        Files.write(in.resolve("truncated.txt.gz"), Arrays.copyOf(gz, gz.length / 2));
        Files.write(in.resolve("not-really.gz"), "plain text with a .gz name\n".getBytes(StandardCharsets.UTF_8));
        Files.write(in.resolve("_ignored.txt"), "hidden\n".getBytes(StandardCharsets.UTF_8));
        Files.write(in.resolve(".ignored.crc"), "hidden\n".getBytes(StandardCharsets.UTF_8));

        StageResult result = tokenize(temp.resolve("run"), in.toString(), false, "tokenize.max-line-bytes", "1000");
        JsonNode counts = result.manifest.path("counts");
        JsonNode skipped = result.manifest.path("skipped");
        assertEquals(9, counts.path("files").asLong(), "hidden files are not input");
        assertEquals(7, counts.path("files_read").asLong());
        assertEquals(1, skipped.path("empty_file").asLong());
        assertEquals(1, skipped.path("binary_file").asLong());
        assertEquals(1, skipped.path("invalid_utf8_line").asLong());
        assertEquals(1, skipped.path("line_too_long").asLong());
        assertEquals(1, skipped.path("line_without_tokens").asLong());
        assertEquals(2, skipped.path("truncated_or_corrupt_compressed_file").asLong(), "truncated and fake .gz");
        assertEquals(counts.path("lines").asLong(), counts.path("lines_tokenized").asLong()
                + skipped.path("invalid_utf8_line").asLong() + skipped.path("line_too_long").asLong()
                + skipped.path("line_without_tokens").asLong());
        // The truncated file keeps the lines before the damage: more than none, fewer than the 3000 written.
        long truncatedLines = counts.path("lines").asLong() - (2 + 2 + 2 + 2) - 3000;
        assertTrue(truncatedLines > 0 && truncatedLines < 3000, "lines kept from the truncated file: " + truncatedLines);
    }

    @Test
    void hiddenFilesAreLeftOutCountedAndNamedAndAFileNamedInFullIsRead() throws Exception {
        Path in = Files.createDirectories(temp.resolve("with-hidden"));
        Files.write(in.resolve("moby.txt"), "Call me Ishmael. Some years ago I went to sea.\n".getBytes(StandardCharsets.UTF_8));
        Files.write(in.resolve("_thread.rst.txt"), "A thread of reStructuredText about threads.\n".getBytes(StandardCharsets.UTF_8));
        Files.write(in.resolve(".notes.txt"), "Notes kept out of sight.\n".getBytes(StandardCharsets.UTF_8));
        Files.write(Files.createDirectories(in.resolve(".git")).resolve("HEAD.txt"), "ref: main\n".getBytes(StandardCharsets.UTF_8));

        CorpusManifest walked = (CorpusManifest) tokenize(temp.resolve("walked"), in.toString(), false).typed;
        assertEquals(1, walked.input.files, "only moby.txt is read from the directory");
        assertEquals(3, walked.input.hiddenLeftOut);
        assertEquals(Arrays.asList(in.toUri() + ".git/", in.toUri() + ".notes.txt", in.toUri() + "_thread.rst.txt"),
                stripScheme(walked.input.hidden));
        String headline = walked.headline("out");
        assertTrue(headline.contains("3 left out as hidden") && headline.contains(".git/") && headline.contains("_thread.rst.txt"),
                headline);

        CorpusManifest globbed = (CorpusManifest) tokenize(temp.resolve("globbed"), in + "/*.txt", false).typed;
        assertEquals(1, globbed.input.files, "a glob follows the same rule");
        assertEquals(2, globbed.input.hiddenLeftOut);

        CorpusManifest named = (CorpusManifest) tokenize(temp.resolve("named"), in.resolve("_thread.rst.txt").toString(), false).typed;
        assertEquals(1, named.input.files, "a file named in full is read whatever its name");
        assertEquals(0, named.input.hiddenLeftOut);
        assertEquals(1, named.count("files_read"));
        assertTrue(named.count("sequences") > 0);
    }

    /** The hidden paths as file: URIs of the form Java's Path.toUri() writes (Hadoop writes file:/x, Java file:///x). */
    private static java.util.List<String> stripScheme(java.util.List<String> hidden) {
        java.util.List<String> out = new java.util.ArrayList<>();
        for (String h : hidden) {
            out.add(h.replaceFirst("^file:/+", "file:///"));
        }
        return out;
    }

    @Test
    void aMissingInputStopsWithItsPathAndWritesNothing() {
        Path run = temp.resolve("run");
        NasbertException e = assertThrows(NasbertException.class,
                () -> tokenize(run, temp.resolve("no-such-dir").toString(), false));
        assertTrue(e.getMessage().contains("no-such-dir") && e.getMessage().contains("does not exist"), e.getMessage());
        assertNothingWritten(run);
    }

    @Test
    void inputWithoutTextStopsAndWritesNothing() throws Exception {
        Path in = Files.createDirectories(temp.resolve("no-text"));
        Files.write(in.resolve("empty.txt"), new byte[0]);
        Files.write(in.resolve("zeros.bin"), new byte[100]);
        Path run = temp.resolve("run");
        NasbertException e = assertThrows(NasbertException.class, () -> tokenize(run, in.toString(), false));
        assertTrue(e.getMessage().contains("gave no sequences") && e.getMessage().contains("binary_file=1"), e.getMessage());
        assertNothingWritten(run);
    }

    @Test
    void anUnreadableVocabularyStopsWithItsNameAndWritesNothing() throws Exception {
        Path vocab = temp.resolve("vocab.txt");
        Files.write(vocab, new byte[]{(byte) 0xFF, (byte) 0xFE, 0, 'x'});
        Path run = temp.resolve("run");
        NasbertException e = assertThrows(NasbertException.class,
                () -> tokenize(run, TestData.mobyDick().toString(), false, "teacher.vocab", vocab.toString()));
        assertTrue(e.getMessage().contains(vocab.toString()) && e.getMessage().contains("not UTF-8"), e.getMessage());
        NasbertException missing = assertThrows(NasbertException.class,
                () -> tokenize(run, TestData.mobyDick().toString(), false, "teacher.vocab", "maven:no.such:artifact:1.0!/vocab.txt"));
        assertTrue(missing.getMessage().contains("mvn dependency:get -Dartifact=no.such:artifact:1.0"), missing.getMessage());
        assertNothingWritten(run);
    }

    private static void assertNothingWritten(Path run) {
        File[] left = run.toFile().listFiles();
        assertTrue(left == null || Arrays.stream(left).noneMatch(f -> f.getName().contains("corpus")),
                "left behind: " + Arrays.toString(left));
    }

    @Test
    void skipsAFinishedOutputRefusesOtherSettingsAndRedoesItWhenForced() throws Exception {
        Path in = Files.createDirectories(temp.resolve("small"));
        Files.copy(new File(TestData.mobyDick(), "chapter-001.txt").toPath(), in.resolve("c1.txt"));
        Path run = temp.resolve("run");
        StageResult first = tokenize(run, in.toString(), false);
        assertFalse(first.skipped);
        long written = new File(run.toFile(), "corpus/_SUCCESS").lastModified();

        StageResult again = tokenize(run, in.toString(), false);
        assertTrue(again.skipped);
        assertEquals(first.manifest.path("counts"), again.manifest.path("counts"));

        NasbertException e = assertThrows(NasbertException.class,
                () -> tokenize(run, in.toString(), false, "tokenize.max-seq-len", "64"));
        assertTrue(e.getMessage().contains("tokenize.max-seq-len: 128 -> 64") && e.getMessage().contains("--force"),
                e.getMessage());

        StageResult forced = tokenize(run, in.toString(), true, "tokenize.max-seq-len", "64");
        assertFalse(forced.skipped);
        assertEquals(64, forced.manifest.path("max_seq_len").asInt());
        assertTrue(spark.read().parquet(forced.output + "/data").selectExpr("max(num_tokens)").first().getInt(0) <= 64);
        assertTrue(new File(run.toFile(), "corpus/_SUCCESS").lastModified() >= written);
        assertEquals(1, Arrays.stream(run.toFile().listFiles()).filter(f -> !f.getName().startsWith(".")).count(),
                "only corpus/ remains in the run directory");
    }

    @Test
    void anOutputWithoutSuccessIsRedoneNotTrusted() throws Exception {
        Path in = Files.createDirectories(temp.resolve("small"));
        Files.copy(new File(TestData.mobyDick(), "chapter-002.txt").toPath(), in.resolve("c2.txt"));
        Path run = temp.resolve("run");
        Files.createDirectories(run.resolve("corpus"));
        Files.write(run.resolve("corpus/part-00000-half-written.parquet"), new byte[]{1, 2, 3});
        Files.createDirectories(run.resolve("_tmp-corpus-123"));
        StageResult result = tokenize(run, in.toString(), false);
        assertFalse(result.skipped);
        assertFalse(Files.exists(run.resolve("corpus/part-00000-half-written.parquet")));
        assertFalse(Files.exists(run.resolve("_tmp-corpus-123")));
        assertTrue(spark.read().parquet(result.output + "/data").count() > 0);
    }

    private static File[] sorted(File[] files) {
        Arrays.sort(files);
        return files;
    }

    private static byte[] gzip(String text) throws IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(bytes)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return bytes.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
