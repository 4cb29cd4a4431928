package org.nasbert.jobs.latency;

import org.nasbert.jobs.teacher.TeacherStage;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.nasbert.NasbertException;
import org.nasbert.conf.Setting;
import org.nasbert.engine.MklDispatch;
import org.nasbert.io.ResourceLocator;
import org.nasbert.io.StageOutput;
import org.nasbert.latency.LatencyConditions;
import org.nasbert.latency.LatencyEngine;
import org.nasbert.latency.LatencyMeter;
import org.nasbert.latency.OrtLatencyMeter;
import org.nasbert.latency.TableSpec;
import org.nasbert.latency.LatencySettings;
import org.nasbert.latency.LatencyTable;
import org.nasbert.search.SearchSettings;
import org.nasbert.space.SearchSpace;
import org.nasbert.stage.Manifest;
import org.nasbert.stage.Stage;
import org.nasbert.stage.StageContext;
import org.nasbert.supernet.SupernetSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The latency table of the search space: every candidate op at every width and the fixed parts (embeddings,
 * projections, head), timed in one Spark task in the engine latency.engine names, so on an executor's hardware (or
 * imported from a table measured on the deployment device). Output {@code <run>/latency/table.json} (the run's own
 * device), {@code <run>/latency/tables/<name>.json} (latency.tables' other devices), units milliseconds.
 */
public final class LatencyStage implements Stage {
    public static final String OUTPUT = "latency";
    public static final String TABLE = "table.json";
    /** The space and conditions of the table, for nasbert-latency-probe.jar on a serving machine. */
    public static final String SPACE = "space.json";
    private static final Logger LOG = LoggerFactory.getLogger(LatencyStage.class);
    /** BERT's WordPiece vocabulary: the embedding table whose lookups are timed. */
    private static final int VOCAB = 30522;

    @Override
    public String name() {
        return "latency";
    }

    @Override
    public String summary() {
        return "time every candidate op and the fixed parts on an executor (or import a table) -> <run>/latency";
    }

    @Override
    public String output() {
        return OUTPUT;
    }

    @Override
    public List<Setting<?>> settings() {
        return Arrays.asList(SupernetSettings.HIDDEN_SIZES, SupernetSettings.KERNELS, SupernetSettings.LAYERS_PER_BLOCK,
                SupernetSettings.FFN_RATIO, LatencySettings.ENGINE, LatencySettings.BATCH, LatencySettings.SEQUENCE_LENGTH, LatencySettings.THREADS,
                LatencySettings.RUNS, LatencySettings.IMPORT, LatencySettings.DEVICE, LatencySettings.TABLES,
                SearchSettings.EMBEDDING_SIZE, org.nasbert.student.DistillSettings.OBJECTIVE);
    }

    /** The teacher's width, for the output projection the students carry (when teacher has run). */
    @Override
    public List<Stage> optionalInputs() {
        return Collections.singletonList(new TeacherStage());
    }

    /** The engine the settings name, at their batch, length, threads and runs. */
    public static LatencyEngine engine(String engine, int batch, int seq, int threads, int runs, int ffnRatio) {
        return LatencyEngine.ONNXRUNTIME.equals(engine)
                ? new OrtLatencyMeter(batch, seq, threads, runs, runs, ffnRatio, VOCAB)
                : new LatencyMeter(batch, seq, threads, runs, runs, ffnRatio, VOCAB);
    }

    @Override
    public Class<LatencyManifest> manifestType() {
        return LatencyManifest.class;
    }

    @Override
    public Manifest run(StageContext context, StageOutput output) throws Exception {
        SearchSpace space = SupernetSettings.space(context.settings());
        int embeddingSize = context.get(SearchSettings.EMBEDDING_SIZE);
        String device = context.get(LatencySettings.DEVICE);
        Map<String, String> files = new LinkedHashMap<>(context.get(LatencySettings.TABLES)); // the own device comes out
        String imported = context.get(LatencySettings.IMPORT).trim();
        if (!imported.isEmpty() && files.containsKey(device)) {
            throw new NasbertException(LatencySettings.IMPORT.key() + " and the " + LatencySettings.TABLES.key() + " entry '" + device
                    + "' both name the table of " + LatencySettings.DEVICE.key() + " = " + device + "; keep one");
        }
        if (imported.isEmpty() && files.containsKey(device)) {
            imported = files.remove(device);
        }
        LatencyManifest manifest = new LatencyManifest();
        LatencyTable table;
        if (imported.isEmpty()) {
            table = measure(context, space, embeddingSize);
            manifest.source = "measured";
        } else {
            table = LatencyTable.fromJson(read(context, imported), imported);
            requireDeployment(table, context, imported);
            manifest.source = imported;
        }
        requireComplete(table, space, embeddingSize, imported.isEmpty() ? "" : imported + " ");
        Map<String, LatencyTable> others = new LinkedHashMap<>();
        for (Map.Entry<String, String> f : files.entrySet()) {
            LatencyTable t = LatencyTable.fromJson(read(context, f.getValue()), f.getValue());
            DeviceTables.requireKnownEngine(t, f.getValue());
            requireComplete(t, space, embeddingSize, f.getValue() + " ");
            others.put(f.getKey(), t);
        }
        try (FSDataOutputStream out = output.fileSystem().create(new Path(output.temp(), TABLE))) {
            out.write(table.toJson().getBytes(StandardCharsets.UTF_8));
        }
        try (FSDataOutputStream out = output.fileSystem().create(new Path(output.temp(), SPACE))) { // what the probe measures
            out.write(TableSpec.of(context.settings(), context.get(SearchSettings.EMBEDDING_SIZE)).withOutputWidth(table.outputWidth()).toJson().getBytes(StandardCharsets.UTF_8));
        }
        manifest.devices.put(device, describe(manifest.source, table));
        for (Map.Entry<String, LatencyTable> t : others.entrySet()) {
            try (FSDataOutputStream out = output.fileSystem().create(new Path(output.temp(), DeviceTables.file(t.getKey())))) {
                out.write(t.getValue().toJson().getBytes(StandardCharsets.UTF_8));
            }
            manifest.devices.put(t.getKey(), describe(files.get(t.getKey()), t.getValue()));
        }
        manifest.units = LatencyTable.UNITS;
        manifest.parts = table.parts().size();
        manifest.engine = table.engine();
        manifest.conditions.putAll(table.conditions());
        manifest.device = device;
        return manifest;
    }

    /**
     * The width of the output projection the students will carry when served: the teacher's, when they are distilled on
     * its hidden states (the teacher stage has run and distill.objective does not choose its masked-LM head); else 0.
     */
    public static int studentOutputWidth(StageContext context) throws IOException {
        if (!context.run().isComplete(org.nasbert.jobs.teacher.TeacherStage.OUTPUT)) {
            return 0;
        }
        org.nasbert.jobs.teacher.TeacherManifest.Teacher teacher = org.nasbert.jobs.teacher.TeacherManifest.read(context.run()).teacher;
        return org.nasbert.student.DistillSettings.maskedLm(context.get(org.nasbert.student.DistillSettings.OBJECTIVE), teacher.mlmHead,
                teacher.location) ? 0 : teacher.hiddenSize;
    }

    private static LatencyTable measure(StageContext context, SearchSpace space, int embeddingSize) throws IOException {
        String engineName = context.get(LatencySettings.ENGINE);
        LatencyEngine meter = engine(engineName, context.get(LatencySettings.BATCH), context.get(LatencySettings.SEQUENCE_LENGTH),
                context.get(LatencySettings.THREADS), context.get(LatencySettings.RUNS), space.ffnRatio())
                .withOutputWidth(studentOutputWidth(context));
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(context.spark().sparkContext());
        long start = System.nanoTime();
        String json = jsc.parallelize(Collections.singletonList(0), 1)
                .map(i -> meter.measure(space, embeddingSize, machine(engineName)).toJson()).collect().get(0);
        LatencyTable table = LatencyTable.fromJson(json, "the executor's measurement");
        LOG.info("latency: {} parts timed in {} on {} in {} s", table.parts().size(), engineName, table.conditions().get("host"),
                (System.nanoTime() - start) / 1_000_000_000L);
        return table;
    }

    /** An imported table stands for the run's own: it must be of the engine, batch, length and threads the settings say. */
    private static void requireDeployment(LatencyTable table, StageContext context, String file) {
        List<String> differences = differencesFromSettings(table, context);
        if (!differences.isEmpty()) {
            throw new NasbertException(file + " was timed under other conditions than the settings (" + String.join("; ", differences)
                    + "): set latency.engine, latency.batch, latency.sequence-length and latency.threads to the table's, or "
                    + "measure a table under these; nothing was written");
        }
    }

    /** Where the table's engine, batch, length or threads differ from the settings', as "threads 1, expected 2". */
    public static List<String> differencesFromSettings(LatencyTable table, StageContext context) {
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put(LatencyEngine.ENGINE, context.get(LatencySettings.ENGINE));
        expected.put(LatencyConditions.BATCH, "" + context.get(LatencySettings.BATCH));
        expected.put(LatencyConditions.SEQUENCE_LENGTH, "" + context.get(LatencySettings.SEQUENCE_LENGTH));
        expected.put(LatencyConditions.THREADS, "" + context.get(LatencySettings.THREADS));
        return LatencyConditions.differences(table.conditions(), expected);
    }

    private static void requireComplete(LatencyTable table, SearchSpace space, int embeddingSize, String name) {
        List<String> missing = table.missing(space, embeddingSize);
        if (!missing.isEmpty()) {
            throw new NasbertException("the latency table " + name + "lacks " + missing.size()
                    + " parts of the search space, e.g. " + missing.subList(0, Math.min(5, missing.size()))
                    + " (supernet.hidden-sizes, supernet.kernels, " + SearchSettings.EMBEDDING_SIZE.key() + ")");
        }
    }

    private static Map<String, String> describe(String source, LatencyTable t) {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("source", source);
        for (String key : new String[]{LatencyEngine.ENGINE, LatencyConditions.ENGINE_VERSION, LatencyConditions.CPU,
                LatencyConditions.BATCH, LatencyConditions.SEQUENCE_LENGTH, LatencyConditions.THREADS, "host", "date"}) {
            d.put(key, key.equals(LatencyEngine.ENGINE) ? t.engine() : t.conditions().get(key));
        }
        return d;
    }

    /** The run's own table, for the stages that size paths by it. */
    public static LatencyTable readTable(StageContext context) throws IOException {
        context.run().requireComplete(OUTPUT, "latency");
        Path file = new Path(context.run().path(OUTPUT), TABLE);
        return LatencyTable.fromJson(read(context, file.toString()), file.toString());
    }

    /** Every device's table by name, the run's own first, as the latency stage recorded them (older runs: one, "default"). */
    public static Map<String, LatencyTable> readTables(StageContext context) throws IOException {
        Map<String, LatencyTable> out = new LinkedHashMap<>();
        String own = LatencyManifest.read(context.run()).ownDevice();
        out.put(own, readTable(context));
        for (String name : LatencyManifest.read(context.run()).devices.keySet()) {
            if (!name.equals(own)) {
                Path file = new Path(context.run().path(OUTPUT), DeviceTables.file(name));
                out.put(name, LatencyTable.fromJson(read(context, file.toString()), file.toString()));
            }
        }
        return out;
    }

    private static String read(StageContext context, String location) throws IOException {
        try (InputStream in = new ResourceLocator(context.hadoopConf()).open(location)) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                bytes.write(buffer, 0, n);
                if (bytes.size() > 16 << 20) {
                    throw new NasbertException(location + ": larger than 16 MB, not a latency table");
                }
            }
            return new String(bytes.toByteArray(), StandardCharsets.UTF_8);
        }
    }

    /** What the timings depend on, recorded with them: host, CPU and its vector flags, JVM; for BigDL, MKL's code path. */
    static Map<String, String> machine(String engine) {
        Map<String, String> m = LatencyConditions.machine();
        if (LatencyEngine.BIGDL.equals(engine)) {
            Integer mklType = MklDispatch.loadedCpuType();
            m.put("mkl_code_path", mklType == null ? "MKL not loaded" : MklDispatch.pathName(mklType));
        }
        return m;
    }
}
