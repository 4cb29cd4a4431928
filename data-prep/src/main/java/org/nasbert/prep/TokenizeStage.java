package org.nasbert.prep;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.mapreduce.Job;
import org.apache.hadoop.mapreduce.lib.input.FileInputFormat;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.spark.HashPartitioner;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.SerializableWritable;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.nasbert.NasbertException;
import org.nasbert.conf.Setting;
import org.nasbert.io.ResourceLocator;
import org.nasbert.io.StageOutput;
import org.nasbert.prep.corpus.CorpusCount;
import org.nasbert.prep.corpus.CorpusCounts;
import org.nasbert.prep.corpus.CombinedCorpusInputFormat;
import org.nasbert.prep.corpus.CorpusInputFormat;
import org.nasbert.prep.corpus.CorpusRecord;
import org.nasbert.stage.Manifest;
import org.nasbert.stage.Stage;
import org.nasbert.stage.StageContext;
import org.nasbert.teacher.TeacherCheckpoint;
import org.nasbert.teacher.TeacherSettings;
import org.nasbert.text.WordPieceVocabulary;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;

/**
 * data-prep: raw text to packed BERT pre-training sequences. Reads the corpus as documents
 * ({@link CorpusInputFormat}), tokenizes with the teacher's WordPiece vocabulary and packs per
 * document ({@link DocumentPacker}) and writes Parquet ({@link CorpusSchema}, straight from the packed ids:
 * {@link SequenceParts}) with a manifest of counts: one file per input split (balanced splits of at most 64 MB), or, with
 * tokenize.partitions = N, spread over N files by a deterministic hash shuffle.
 */
public final class TokenizeStage implements Stage {
    public static final String OUTPUT = "corpus";
    private static final String VOCABULARY_STEM = "vocabulary";
    /** The Parquet dataset inside the output directory (beside manifest.json), as Spark ML's data/. */
    public static final String DATA = "data";
    private static final Logger LOG = LoggerFactory.getLogger(TokenizeStage.class);
    private static final long BYTES_PER_PARTITION = 64L << 20;

    @Override
    public String name() {
        return "tokenize";
    }

    @Override
    public String summary() {
        return "raw text -> WordPiece ids -> packed sequences (Parquet) in <run>/corpus/data";
    }

    @Override
    public String output() {
        return OUTPUT;
    }

    @Override
    public List<Setting<?>> settings() {
        return Arrays.asList(TokenizeSettings.INPUT, TeacherSettings.MODEL, TeacherSettings.VOCAB, TeacherSettings.VOCAB_LOWERCASE,
                TokenizeSettings.DOCUMENT, TokenizeSettings.SEGMENT, TokenizeSettings.MAX_SEQ_LEN,
                TokenizeSettings.SHORT_SEQ_PROB, TokenizeSettings.SEED, TokenizeSettings.MAX_LINE_BYTES,
                TokenizeSettings.PARTITIONS);
    }

    @Override
    public Class<CorpusManifest> manifestType() {
        return CorpusManifest.class;
    }

    @Override
    public Manifest run(StageContext context, StageOutput output) throws Exception {
        Configuration conf = context.hadoopConf();
        WordPieceVocabulary vocabulary = loadVocabulary(context);
        String vocabularyFile = copyVocabulary(context, vocabulary.source(), output);
        CorpusFiles files = CorpusFiles.list(context.get(TokenizeSettings.INPUT), conf);
        SparkSession spark = context.spark();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        int partitions = context.get(TokenizeSettings.PARTITIONS);
        if (!files.hidden.isEmpty()) {
            LOG.warn("tokenize: {} left out as hidden (a name starting _ or ., Hadoop's rule; name a file in full to read it): {}",
                    files.hidden.size(), files.hidden.subList(0, Math.min(CorpusManifest.Input.HIDDEN_LISTED, files.hidden.size())));
        }
        LOG.info("tokenize: {} files, {} bytes -> {}; vocabulary {} ({} pieces, {})", files.files.size(), files.bytes,
                partitions == 0 ? "one Parquet file per input split" : partitions + " shuffled partitions",
                vocabulary.source(), vocabulary.size(), vocabulary.normalizer());

        JavaRDD<CorpusRecord> records = jsc.newAPIHadoopRDD(inputConf(context, files, jsc.defaultParallelism()), CombinedCorpusInputFormat.class,
                LongWritable.class, CorpusRecord.class).values();
        Broadcast<WordPieceVocabulary> shared = jsc.broadcast(vocabulary);
        JavaRDD<TokenizedItem> items = records.mapPartitions(new DocumentPacker(shared,
                "sentence".equals(context.get(TokenizeSettings.SEGMENT)), context.get(TokenizeSettings.MAX_SEQ_LEN),
                context.get(TokenizeSettings.SHORT_SEQ_PROB), context.get(TokenizeSettings.SEED)));
        JavaRDD<TokenizedItem> spread = partitions == 0 ? items : items
                .mapToPair(item -> new Tuple2<>(shard(item, partitions), item))
                .partitionBy(new HashPartitioner(partitions))
                .values();

        CompressionCodecName codec = SequenceParts.codecName(spark.conf().get("spark.sql.parquet.compression.codec", "snappy"));
        Path data = new Path(output.temp(), DATA);
        output.fileSystem().mkdirs(data);
        Broadcast<SerializableWritable<Configuration>> taskConf = jsc.broadcast(new SerializableWritable<>(conf));
        List<SequenceParts.Part> parts = spread.mapPartitionsWithIndex(new SequenceParts(taskConf, data, codec), false).collect();
        CorpusCounts counts = SequenceParts.commit(output.fileSystem(), data, parts, codec);
        shared.destroy();
        taskConf.destroy();

        long filesCounted = counts.get(CorpusCount.FILES_READ) + counts.get(CorpusCount.BINARY_FILE)
                + counts.get(CorpusCount.EMPTY_FILE);
        if (filesCounted != files.files.size()) {
            throw new IllegalStateException("counted " + filesCounted + " files, listed " + files.files.size());
        }
        if (counts.get(CorpusCount.SEQUENCES) == 0) {
            throw new NasbertException("tokenize.input '" + context.get(TokenizeSettings.INPUT)
                    + "' gave no sequences (" + files.files.size() + " files; " + counts + ")");
        }
        LOG.info("tokenize: {}", counts);
        return manifest(context, vocabulary, vocabularyFile, files, partitions, counts);
    }

    /** The vocabulary tokenize uses: tokenize.vocab, or the one beside the teacher. */
    public static WordPieceVocabulary loadVocabulary(StageContext context) throws IOException {
        String location = context.get(TeacherSettings.VOCAB);
        if ("auto".equals(location)) {
            String model = context.get(TeacherSettings.MODEL);
            location = TeacherCheckpoint.vocabularyBeside(model, context.hadoopConf());
            if (location == null) {
                throw new NasbertException("teacher.vocab = auto, but there is no vocab.txt or tokenizer.json beside the teacher "
                        + model + "; name the vocabulary with teacher.vocab");
            }
        }
        String lowercase = context.get(TeacherSettings.VOCAB_LOWERCASE);
        try (InputStream in = new ResourceLocator(context.hadoopConf()).open(location)) {
            return WordPieceVocabulary.read(in, location, "auto".equals(lowercase) ? null : Boolean.valueOf(lowercase));
        }
    }

    /**
     * The vocabulary the corpus was tokenized with, as tokenize recorded it: its copy in the corpus output, checked
     * against the recorded digest. Later stages use this, not today's settings, so that the students' ids mean what
     * they meant when the corpus was made, on any machine (the original may sit in a driver's local cache).
     */
    public static WordPieceVocabulary recordedVocabulary(StageContext context) throws IOException {
        Path manifest = new Path(context.run().path(OUTPUT), "manifest.json");
        CorpusManifest.Vocabulary v = CorpusManifest.read(context.run()).vocabulary;
        if (v == null || v.file == null) {
            throw new NasbertException(manifest + " records no copy of the vocabulary (vocabulary.file; made by an older version); "
                    + "redo tokenize with --force");
        }
        WordPieceVocabulary vocabulary;
        try (InputStream in = context.run().fileSystem().open(new Path(context.run().path(OUTPUT), v.file))) {
            vocabulary = WordPieceVocabulary.read(in, v.source, v.lowercase);
        }
        if (!vocabulary.sha256().equals(v.sha256)) {
            throw new NasbertException(context.run().path(OUTPUT) + "/" + v.file + " has sha256 " + vocabulary.sha256()
                    + ", but " + manifest + " records " + v.sha256 + "; redo tokenize with --force");
        }
        return vocabulary;
    }

    /** A copy of the vocabulary file in the output; returns its name there. */
    private static String copyVocabulary(StageContext context, String source, StageOutput output) throws IOException {
        String name = source.endsWith(".json") ? VOCABULARY_STEM + ".json" : VOCABULARY_STEM + ".txt";
        try (InputStream in = new ResourceLocator(context.hadoopConf()).open(source);
             java.io.OutputStream out = output.fileSystem().create(new Path(output.temp(), name), false)) {
            org.apache.hadoop.io.IOUtils.copyBytes(in, out, 1 << 16);
        }
        return name;
    }

    /** About four input splits per core (so that uneven splits still keep every core busy), 1 to 64 MB each. */
    private static Configuration inputConf(StageContext context, CorpusFiles files, int cores) throws IOException {
        Job job = Job.getInstance(new Configuration(context.hadoopConf()));
        Configuration conf = job.getConfiguration();
        long splitBytes = Math.max(1 << 20, Math.min(BYTES_PER_PARTITION, files.bytes / (4L * Math.max(1, cores))));
        conf.setLong(CombinedCorpusInputFormat.MAX_SPLIT_BYTES,
                conf.getLong("mapreduce.input.fileinputformat.split.maxsize", splitBytes));
        conf.set(CorpusInputFormat.DOCUMENT_MODE, context.get(TokenizeSettings.DOCUMENT));
        conf.setInt(CorpusInputFormat.MAX_LINE_BYTES, context.get(TokenizeSettings.MAX_LINE_BYTES));
        FileInputFormat.setInputPaths(job, files.files.toArray(new Path[0]));
        return conf;
    }

    /** Sequences spread by a hash of their identity; counts stay with their input partition's number. */
    private static int shard(TokenizedItem item, int partitions) {
        if (item.sequence == null) {
            return TaskContext.getPartitionId() % partitions;
        }
        long h = item.sequence.docId * 0x9E3779B97F4A7C15L + item.sequence.indexInDoc;
        h ^= h >>> 31;
        return (int) Math.floorMod(h, (long) partitions);
    }

    private CorpusManifest manifest(StageContext context, WordPieceVocabulary vocabulary, String vocabularyFile, CorpusFiles files,
                                    int partitions, CorpusCounts counts) {
        CorpusManifest m = new CorpusManifest();
        m.input = new CorpusManifest.Input();
        m.input.paths = context.get(TokenizeSettings.INPUT);
        m.input.files = files.files.size();
        m.input.bytes = files.bytes;
        m.input.fingerprint = files.fingerprint;
        m.input.hiddenLeftOut = files.hidden.size();
        m.input.hidden.addAll(files.hidden.subList(0, Math.min(CorpusManifest.Input.HIDDEN_LISTED, files.hidden.size())));
        CorpusManifest.Vocabulary v = new CorpusManifest.Vocabulary();
        v.file = vocabularyFile;
        v.source = vocabulary.source();
        v.sha256 = vocabulary.sha256();
        v.size = vocabulary.size();
        v.lowercase = vocabulary.normalizer().lowercase();
        v.stripAccents = vocabulary.normalizer().stripAccents();
        v.padId = vocabulary.padId();
        v.clsId = vocabulary.clsId();
        v.sepId = vocabulary.sepId();
        v.maskId = vocabulary.maskId();
        m.vocabulary = v;
        m.maxSeqLen = context.get(TokenizeSettings.MAX_SEQ_LEN);
        m.partitions = partitions == 0 ? "per input split" : String.valueOf(partitions);
        m.counts.put("files", (long) files.files.size());
        m.counts.putAll(counts.asMap(false));
        m.skipped = counts.asMap(true);
        m.schema = CorpusSchema.describe();
        return m;
    }
}
