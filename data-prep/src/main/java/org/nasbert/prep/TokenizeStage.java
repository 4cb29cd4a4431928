package org.nasbert.prep;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.mapreduce.Job;
import org.apache.hadoop.mapreduce.lib.input.FileInputFormat;
import org.apache.spark.HashPartitioner;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
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
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * data-prep: raw text to packed BERT pre-training sequences. Reads the corpus as documents
 * ({@link CorpusInputFormat}), tokenizes with the teacher's WordPiece vocabulary and packs per
 * document ({@link DocumentPacker}) and writes Parquet ({@link CorpusSchema}) with a manifest of
 * counts: one file per input split (balanced splits of at most 64 MB), or, with
 * tokenize.partitions = N, spread over N files by a deterministic hash shuffle.
 */
public final class TokenizeStage implements Stage {
    public static final String OUTPUT = "corpus";
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
        return Arrays.asList(TokenizeSettings.INPUT, TeacherSettings.MODEL, TokenizeSettings.VOCAB, TokenizeSettings.VOCAB_LOWERCASE,
                TokenizeSettings.DOCUMENT, TokenizeSettings.SEGMENT, TokenizeSettings.MAX_SEQ_LEN,
                TokenizeSettings.SHORT_SEQ_PROB, TokenizeSettings.SEED, TokenizeSettings.MAX_LINE_BYTES,
                TokenizeSettings.PARTITIONS);
    }

    @Override
    public Map<String, Object> run(StageContext context, StageOutput output) throws Exception {
        Configuration conf = context.hadoopConf();
        WordPieceVocabulary vocabulary = loadVocabulary(context);
        CorpusFiles files = CorpusFiles.list(context.get(TokenizeSettings.INPUT), conf);
        SparkSession spark = context.spark();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        int partitions = context.get(TokenizeSettings.PARTITIONS);
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

        CountsAccumulator accumulator = new CountsAccumulator();
        spark.sparkContext().register(accumulator, "tokenize counts");
        JavaRDD<Row> rows = spread.mapPartitions(new RowsAndCounts(accumulator));
        spark.createDataFrame(rows, CorpusSchema.SCHEMA).write().parquet(new Path(output.temp(), DATA).toString());
        shared.destroy();

        CorpusCounts counts = accumulator.value();
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
        return manifest(context, vocabulary, files, partitions, counts);
    }

    /** The vocabulary tokenize uses: tokenize.vocab, or the one beside the teacher. */
    public static WordPieceVocabulary loadVocabulary(StageContext context) throws IOException {
        String location = context.get(TokenizeSettings.VOCAB);
        if ("auto".equals(location)) {
            String model = context.get(TeacherSettings.MODEL);
            location = TeacherCheckpoint.vocabularyBeside(model, context.hadoopConf());
            if (location == null) {
                throw new NasbertException("teacher.vocab = auto, but there is no vocab.txt or tokenizer.json beside the teacher "
                        + model + "; name the vocabulary with teacher.vocab");
            }
        }
        String lowercase = context.get(TokenizeSettings.VOCAB_LOWERCASE);
        try (InputStream in = new ResourceLocator(context.hadoopConf()).open(location)) {
            return WordPieceVocabulary.read(in, location, "auto".equals(lowercase) ? null : Boolean.valueOf(lowercase));
        }
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

    private Map<String, Object> manifest(StageContext context, WordPieceVocabulary vocabulary, CorpusFiles files,
                                         int partitions, CorpusCounts counts) {
        Map<String, Object> manifest = new LinkedHashMap<>();
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("paths", context.get(TokenizeSettings.INPUT));
        input.put("files", files.files.size());
        input.put("bytes", files.bytes);
        input.put("fingerprint", files.fingerprint);
        manifest.put("input", input);
        Map<String, Object> vocab = new LinkedHashMap<>();
        vocab.put("source", vocabulary.source());
        vocab.put("sha256", vocabulary.sha256());
        vocab.put("size", vocabulary.size());
        vocab.put("lowercase", vocabulary.normalizer().lowercase());
        vocab.put("strip_accents", vocabulary.normalizer().stripAccents());
        vocab.put("pad_id", vocabulary.padId());
        vocab.put("cls_id", vocabulary.clsId());
        vocab.put("sep_id", vocabulary.sepId());
        vocab.put("mask_id", vocabulary.maskId());
        manifest.put("vocabulary", vocab);
        manifest.put("max_seq_len", context.get(TokenizeSettings.MAX_SEQ_LEN));
        manifest.put("partitions", partitions == 0 ? "per input split" : String.valueOf(partitions));
        Map<String, Object> countMap = new LinkedHashMap<>();
        countMap.put("files", files.files.size());
        countMap.putAll(counts.asMap(false));
        manifest.put("counts", countMap);
        manifest.put("skipped", counts.asMap(true));
        manifest.put("schema", CorpusSchema.describe());
        return manifest;
    }

    /** Rows for the sequences; the counts items go to the accumulator. */
    private static final class RowsAndCounts implements FlatMapFunction<Iterator<TokenizedItem>, Row> {
        private static final long serialVersionUID = 1L;
        private final CountsAccumulator accumulator;

        RowsAndCounts(CountsAccumulator accumulator) {
            this.accumulator = accumulator;
        }

        @Override
        public Iterator<Row> call(Iterator<TokenizedItem> items) {
            return new Iterator<Row>() {
                private Row next;

                @Override
                public boolean hasNext() {
                    while (next == null && items.hasNext()) {
                        TokenizedItem item = items.next();
                        if (item.counts != null) {
                            accumulator.add(item.counts);
                        } else {
                            next = CorpusSchema.toRow(item.sequence);
                        }
                    }
                    return next != null;
                }

                @Override
                public Row next() {
                    if (!hasNext()) {
                        throw new NoSuchElementException();
                    }
                    Row row = next;
                    next = null;
                    return row;
                }
            };
        }
    }
}
