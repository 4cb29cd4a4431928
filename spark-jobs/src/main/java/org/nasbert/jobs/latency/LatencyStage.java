package org.nasbert.jobs.latency;

import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.nasbert.NasbertException;
import org.nasbert.conf.Setting;
import org.nasbert.engine.CpuInfo;
import org.nasbert.engine.Machine;
import org.nasbert.engine.MklDispatch;
import org.nasbert.io.ResourceLocator;
import org.nasbert.io.StageOutput;
import org.nasbert.latency.LatencyMeter;
import org.nasbert.latency.LatencySettings;
import org.nasbert.latency.LatencyTable;
import org.nasbert.search.SearchSettings;
import org.nasbert.space.SearchSpace;
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
 * projections, head), timed in one Spark task, so on an executor's hardware (or imported from a table measured
 * on the deployment device). Output {@code <run>/latency/table.json}, units milliseconds.
 */
public final class LatencyStage implements Stage {
    public static final String OUTPUT = "latency";
    public static final String TABLE = "table.json";
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
        return Arrays.asList(SupernetSettings.HIDDEN_SIZES, SupernetSettings.KERNELS, SupernetSettings.FFN_RATIO,
                LatencySettings.BATCH, LatencySettings.SEQUENCE_LENGTH, LatencySettings.THREADS, LatencySettings.RUNS,
                LatencySettings.IMPORT, SearchSettings.EMBEDDING_SIZE);
    }

    @Override
    public Map<String, Object> run(StageContext context, StageOutput output) throws Exception {
        SearchSpace space = SupernetSettings.space(context.settings());
        int embeddingSize = context.get(SearchSettings.EMBEDDING_SIZE);
        String imported = context.get(LatencySettings.IMPORT).trim();
        LatencyTable table;
        Map<String, Object> manifest = new LinkedHashMap<>();
        if (imported.isEmpty()) {
            int runs = context.get(LatencySettings.RUNS);
            LatencyMeter meter = new LatencyMeter(context.get(LatencySettings.BATCH), context.get(LatencySettings.SEQUENCE_LENGTH),
                    context.get(LatencySettings.THREADS), runs, runs, space.ffnRatio(), VOCAB);
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(context.spark().sparkContext());
            long start = System.nanoTime();
            String json = jsc.parallelize(Collections.singletonList(0), 1).map(i -> meter.measure(space, embeddingSize, machine()).toJson())
                    .collect().get(0);
            table = LatencyTable.fromJson(json, "the executor's measurement");
            LOG.info("latency: {} parts timed on {} in {} s", table.parts().size(), table.conditions().get("host"),
                    (System.nanoTime() - start) / 1_000_000_000L);
            manifest.put("source", "measured");
        } else {
            table = LatencyTable.fromJson(read(context, imported), imported);
            manifest.put("source", imported);
        }
        List<String> missing = table.missing(space, embeddingSize);
        if (!missing.isEmpty()) {
            throw new NasbertException("the latency table " + (imported.isEmpty() ? "" : imported + " ") + "lacks " + missing.size()
                    + " parts of the search space, e.g. " + missing.subList(0, Math.min(5, missing.size()))
                    + " (supernet.hidden-sizes, supernet.kernels, " + SearchSettings.EMBEDDING_SIZE.key() + ")");
        }
        try (FSDataOutputStream out = output.fileSystem().create(new Path(output.temp(), TABLE))) {
            out.write(table.toJson().getBytes(StandardCharsets.UTF_8));
        }
        manifest.put("units", LatencyTable.UNITS);
        manifest.put("parts", table.parts().size());
        manifest.put("conditions", table.conditions());
        return manifest;
    }

    /** The run's finished latency table, for the stages that size paths by it. */
    public static LatencyTable readTable(StageContext context) throws IOException {
        context.run().requireComplete(OUTPUT, "latency");
        Path file = new Path(context.run().path(OUTPUT), TABLE);
        return LatencyTable.fromJson(read(context, file.toString()), file.toString());
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

    /** What the timings depend on, recorded with them: host, CPU and its vector flags, MKL's code path, JVM. */
    static Map<String, String> machine() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("host", Machine.host());
        CpuInfo cpu = CpuInfo.local();
        m.put("cpu", cpu.model());
        m.put("cpu_vendor", cpu.vendor());
        m.put("cpu_flags", String.valueOf(cpu.describe().get("vector_flags")));
        m.put("cores", "" + Runtime.getRuntime().availableProcessors());
        Integer mklType = MklDispatch.loadedCpuType();
        m.put("mkl_code_path", mklType == null ? "MKL not loaded" : MklDispatch.pathName(mklType));
        m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        return m;
    }
}
