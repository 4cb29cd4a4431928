package org.nasbert.jobs.teacher;

import org.nasbert.supernet.SupernetSettings;
import java.util.Collections;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.nasbert.NasbertException;
import org.nasbert.conf.Setting;
import org.nasbert.io.ResourceLocator;
import org.nasbert.io.SpaceLeft;
import org.nasbert.io.StageOutput;
import org.nasbert.prep.CorpusSchema;
import org.nasbert.prep.CorpusManifest;
import org.nasbert.prep.TokenizeStage;
import org.nasbert.stage.Manifest;
import org.nasbert.stage.MemoryNeed;
import org.nasbert.stage.ModelMemory;
import org.nasbert.stage.Stage;
import org.nasbert.stage.StageContext;
import org.nasbert.teacher.BertConfig;
import org.nasbert.teacher.BertWeights;
import org.nasbert.teacher.BlockBoundaries;
import org.nasbert.teacher.TeacherCheckpoint;
import org.nasbert.teacher.TeacherSettings;
import org.nasbert.text.WordPieceVocabulary;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;

/**
 * teacher: loads the teacher checkpoint on the driver, checks it against the tokenized corpus (same vocabulary,
 * sequence length within its positions), and computes its hidden states at the block boundaries Y_0..Y_N for a
 * deterministic sample of the corpus, on the executors (weights broadcast once), into {@code <run>/teacher/data}.
 * With teacher.states = on-the-fly it only records the teacher and the boundaries; training then computes the
 * states itself (more compute, no disk).
 */
public final class TeacherStage implements Stage {
    public static final String OUTPUT = "teacher";
    public static final String DATA = "data";
    private static final Logger LOG = LoggerFactory.getLogger(TeacherStage.class);
    /** Parquet row groups of 32 MB instead of 128: each writing task buffers one, beside the teacher's activations. */
    private static final int ROW_GROUP_BYTES = 32 << 20;

    @Override
    public String name() {
        return "teacher";
    }

    @Override
    public String summary() {
        return "teacher hidden states at the block boundaries (Parquet) in <run>/teacher/data";
    }

    @Override
    public String output() {
        return OUTPUT;
    }

    @Override
    public List<Setting<?>> settings() {
        return Arrays.asList(TeacherSettings.MODEL, SupernetSettings.BLOCKS, TeacherSettings.STATES, TeacherSettings.PRECISION,
                TeacherSettings.MAX_STATES_GB, TeacherSettings.SEQUENCES, TeacherSettings.HELD_OUT, TeacherSettings.BATCH_SIZE);
    }

    @Override
    public List<Stage> inputs() {
        return Collections.singletonList(new TokenizeStage());
    }

    @Override
    public Class<TeacherManifest> manifestType() {
        return TeacherManifest.class;
    }

    /**
     * The driver reads the teacher's weights (its bytes and the weights at once) and, materialising, keeps a serialised copy
     * for the broadcast; each executor
     * holds one copy, and each running task a teacher.batch-size forward pass with the boundary states it keeps and a
     * Parquet row group it buffers. Sizes from the checkpoint's config, before its weights are read.
     */
    @Override
    public MemoryNeed memoryNeed(StageContext context) throws Exception {
        BertConfig config = TeacherCheckpoint.configWithoutWeights(context.get(TeacherSettings.MODEL), context.hadoopConf());
        long weights = ModelMemory.weights(config.parameterCount(true));
        if (!"materialize".equals(context.get(TeacherSettings.STATES))) {
            return new MemoryNeed().driver("the teacher's weights", weights);
        }
        int seq = CorpusManifest.read(context.run()).maxSeqLen;
        int batch = context.get(TeacherSettings.BATCH_SIZE);
        int tasks = ModelMemory.tasksAtOnce(context.spark().sparkContext().getConf());
        long perTask = ModelMemory.inference(batch, seq, config, context.get(SupernetSettings.BLOCKS) + 1) + ROW_GROUP_BYTES;
        String running = String.format("%d task(s) at once, each a forward pass of %s = %d sequences of up to %d tokens",
                tasks, TeacherSettings.BATCH_SIZE.key(), batch, seq);
        // reading a checkpoint holds its bytes beside the weights (and TensorFlow's transposed kernels) for a moment
        return new MemoryNeed().driver("the teacher's weights, read and broadcast", 3 * weights)
                .executor("the teacher's weights", weights).executor(running, tasks * perTask)
                .local(running, tasks * perTask);
    }

    @Override
    public Manifest run(StageContext context, StageOutput output) throws Exception {
        CorpusManifest corpus = CorpusManifest.read(context.run());
        String location = context.get(TeacherSettings.MODEL);
        long start = System.nanoTime();
        TeacherCheckpoint checkpoint = TeacherCheckpoint.open(location, context.hadoopConf());
        BertConfig config = checkpoint.config();
        LOG.info("teacher: {} ({}), {} weights{}, read in {} s", location, checkpoint.format(), checkpoint.weights().parameterCount(),
                checkpoint.weights().hasMlmHead() ? " with masked-LM head" : "", (System.nanoTime() - start) / 1_000_000_000L);
        checkCorpus(context, checkpoint, corpus);
        int[] boundaries = BlockBoundaries.of(config.numLayers, context.get(SupernetSettings.BLOCKS));
        LOG.info("teacher: {} blocks, boundaries after layers {}", boundaries.length - 1, Arrays.toString(boundaries));

        TeacherManifest manifest = new TeacherManifest();
        manifest.teacher = describe(checkpoint);
        manifest.boundaries = boundaries;
        manifest.materialized = "materialize".equals(context.get(TeacherSettings.STATES));
        if (manifest.materialized) {
            materialize(context, output, checkpoint.weights(), corpus, manifest);
        }
        return manifest;
    }

    /** The states must stay under teacher.max-states-gb and fit the run directory's file system and HDFS space quota. */
    private static void requireRoom(StageContext context, StageOutput output, double estimate) throws IOException {
        double limit = context.get(TeacherSettings.MAX_STATES_GB) * (1L << 30);
        if (estimate > limit) {
            throw new NasbertException(String.format("teacher: materialised states would take about %.1f GB, over %s = %s; compute "
                    + "them as training needs them (%s = on-the-fly) or raise the limit", estimate / (1L << 30),
                    TeacherSettings.MAX_STATES_GB.key(), context.settings().raw(TeacherSettings.MAX_STATES_GB.key()).trim(),
                    TeacherSettings.STATES.key()));
        }
        SpaceLeft left = SpaceLeft.of(output.fileSystem(), output.temp());
        if (estimate > left.bytes) {
            throw new NasbertException(String.format("teacher: materialised states would take about %.1f GB, but %s; free space, "
                    + "use another run directory, or set %s = on-the-fly", estimate / (1L << 30), left.limit, TeacherSettings.STATES.key()));
        }
    }

    private void materialize(StageContext context, StageOutput output, BertWeights weights, CorpusManifest corpus,
                             TeacherManifest m) throws IOException {
        int[] boundaries = m.boundaries;
        long total = corpus.count("sequences");
        long tokens = corpus.count("tokens");
        int wanted = context.get(TeacherSettings.SEQUENCES);
        double fraction = sampledFraction(wanted, total);
        boolean half = "fp16".equals(context.get(TeacherSettings.PRECISION));
        int hidden = weights.config().hiddenSize;
        double estimate = (double) tokens * fraction * hidden * boundaries.length * (half ? 2 : 4);
        LOG.info("teacher: about {} of {} sequences, {} boundary states of {} x {} in {}: about {} MB on disk before compression",
                Math.round(total * fraction), total, boundaries.length, "tokens", hidden, half ? "fp16" : "fp32",
                Math.round(estimate / (1 << 20)));
        requireRoom(context, output, estimate);

        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(context.spark().sparkContext());
        Broadcast<BertWeights> shared = jsc.broadcast(weights);
        Dataset<Row> sequences = context.spark().read().parquet(new Path(context.run().path(TokenizeStage.OUTPUT), TokenizeStage.DATA).toString());
        JavaRDD<Row> rows = sequences.javaRDD();
        JavaRDD<Row> states = rows.mapPartitions(new BoundaryStates(shared, boundaries, context.get(TeacherSettings.BATCH_SIZE), half,
                fraction, context.get(TeacherSettings.HELD_OUT), Math.round(total * fraction / Math.max(1, rows.getNumPartitions()))));
        String data = new Path(output.temp(), DATA).toString();
        context.spark().createDataFrame(states, TeacherSchema.schema(boundaries.length)).write()
                .option("parquet.block.size", ROW_GROUP_BYTES).parquet(data);
        shared.destroy();

        Row counts = context.spark().read().parquet(data).agg(functions.count(functions.lit(1)),
                functions.sum(CorpusSchema.NUM_TOKENS), functions.sum(functions.col(TeacherSchema.HELD_OUT).cast("int"))).first();
        long written = output.fileSystem().getContentSummary(new Path(data)).getLength();
        m.precision = half ? "fp16" : "fp32";
        m.hiddenSize = hidden;
        m.counts = new java.util.LinkedHashMap<>();
        m.counts.put("sequences", counts.getLong(0));
        m.counts.put("tokens", counts.isNullAt(1) ? 0 : counts.getLong(1));
        m.counts.put("held_out_sequences", counts.isNullAt(2) ? 0 : counts.getLong(2));
        m.counts.put("corpus_sequences", total);
        m.bytesEstimated = Math.round(estimate);
        m.bytesWritten = written;
        m.schema = TeacherSchema.describe(m.precision, hidden);
        LOG.info("teacher: wrote {} sequences ({} held out), {} MB", m.count("sequences"), m.count("held_out_sequences"), written >> 20);
        if (counts.getLong(0) == 0) {
            throw new NasbertException("teacher.sequences = " + wanted + " selected no sequence of the " + total + " in the corpus");
        }
    }

    /** The share of the corpus's sequences in the distillation set for {@code teacher.sequences = wanted}. */
    public static double sampledFraction(long wanted, long total) {
        return wanted == 0 || wanted >= total ? 1.0 : (double) wanted / total;
    }

    /** The corpus must be tokenized with the teacher's own vocabulary and fit its positions. */
    private static void checkCorpus(StageContext context, TeacherCheckpoint checkpoint, CorpusManifest corpus) throws IOException {
        BertConfig config = checkpoint.config();
        int maxSeqLen = corpus.maxSeqLen;
        if (maxSeqLen > config.maxPositions) {
            throw new NasbertException("the corpus has sequences of up to " + maxSeqLen + " tokens (tokenize.max-seq-len) but the "
                    + "teacher has " + config.maxPositions + " positions");
        }
        int corpusVocab = corpus.vocabulary.size;
        if (corpusVocab > config.vocabSize) {
            throw new NasbertException("the corpus vocabulary has " + corpusVocab + " pieces, the teacher's embeddings "
                    + config.vocabSize + ": tokenize with the teacher's vocabulary (teacher.vocab = auto)");
        }
        if (checkpoint.vocabulary() != null) {
            WordPieceVocabulary own;
            try (InputStream in = new ResourceLocator(context.hadoopConf()).open(checkpoint.vocabulary())) {
                own = WordPieceVocabulary.read(in, checkpoint.vocabulary(), null);
            }
            String corpusSha = corpus.vocabulary.sha256;
            if (!own.sha256().equals(corpusSha)) {
                throw new NasbertException("the corpus was tokenized with " + corpus.vocabulary.source
                        + " (sha256 " + corpusSha + "), not with the teacher's vocabulary " + checkpoint.vocabulary() + " (sha256 "
                        + own.sha256() + "): rerun tokenize with teacher.vocab = auto and --force");
            }
        }
    }

    private static TeacherManifest.Teacher describe(TeacherCheckpoint checkpoint) {
        BertConfig c = checkpoint.config();
        TeacherManifest.Teacher t = new TeacherManifest.Teacher();
        t.location = checkpoint.location();
        t.format = checkpoint.format().name().toLowerCase();
        t.vocabulary = checkpoint.vocabulary();
        t.layers = c.numLayers;
        t.hiddenSize = c.hiddenSize;
        t.heads = c.numHeads;
        t.intermediateSize = c.intermediateSize;
        t.vocabSize = c.vocabSize;
        t.maxPositions = c.maxPositions;
        t.layerNormEps = c.layerNormEps;
        t.parameters = checkpoint.weights().parameterCount();
        t.mlmHead = checkpoint.weights().hasMlmHead();
        return t;
    }
}
