package org.nasbert.probe;

import org.nasbert.NasbertException;
import org.nasbert.conf.Setting;
import org.nasbert.conf.Settings;
import org.nasbert.latency.LatencyConditions;
import org.nasbert.latency.LatencyEngine;
import org.nasbert.latency.LatencySettings;
import org.nasbert.latency.LatencyTable;
import org.nasbert.latency.OrtLatencyMeter;
import org.nasbert.latency.TableSpec;
import org.nasbert.search.SearchSettings;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The latency table measured on the machine that will serve the students, by a jar that needs only Java:
 * <pre>
 *   java -jar nasbert-latency-probe.jar --space &lt;run&gt;/latency/space.json --out table.json [--threads N --batch B --length L]
 * </pre>
 * then, on the cluster, {@code bin/nasbert latency --import table.json} (or {@code --set latency.tables=edge=table.json}).
 * The space is the run's {@code latency/space.json} or a settings file (nasbert.properties form); the options override
 * its engine, batch, length, threads and runs. After export, on the same machine:
 * <pre>
 *   java -jar nasbert-latency-probe.jar --students &lt;run&gt;/export --table table.json
 * </pre>
 * times every exported student's ONNX file under the table's conditions beside the table's prediction
 * ({@link StudentCheck}). Exit status 0 on success, 2 on bad input (one line naming it).
 */
public final class LatencyProbe {
    private static final String USAGE = "usage: java -jar nasbert-latency-probe.jar --space <run/latency/space.json | settings.properties> "
            + "--out <table.json> [--engine onnxruntime] [--threads N] [--batch B] [--length L] [--runs R]; or --students <run/export> "
            + "--table <table.json>";

    private LatencyProbe() {
    }

    public static void main(String[] args) {
        try {
            run(args);
        } catch (NasbertException | IllegalArgumentException e) {
            System.err.println("nasbert-latency-probe: " + e.getMessage());
            System.exit(2);
        } catch (IOException e) {
            System.err.println("nasbert-latency-probe: " + e);
            System.exit(1);
        }
    }

    static void run(String[] args) throws IOException {
        Map<String, String> options = options(args);
        if (options.containsKey("--students")) {
            if (!options.containsKey("--table")) {
                throw new NasbertException("--students needs --table (the table to check the students against); " + USAGE);
            }
            StudentCheck.run(Paths.get(options.get("--students")), Paths.get(options.get("--table")));
            return;
        }
        if (!options.containsKey("--space") || !options.containsKey("--out")) {
            throw new NasbertException("--space and --out are needed; " + USAGE);
        }
        TableSpec spec = spec(Paths.get(options.get("--space")));
        spec = spec.with(value(options, "--engine", LatencySettings.ENGINE, spec.engine),
                value(options, "--batch", LatencySettings.BATCH, spec.batch), value(options, "--length", LatencySettings.SEQUENCE_LENGTH,
                        spec.sequenceLength), value(options, "--threads", LatencySettings.THREADS, spec.threads),
                value(options, "--runs", LatencySettings.RUNS, spec.runs));
        if (!LatencyEngine.ONNXRUNTIME.equals(spec.engine)) {
            throw new NasbertException("engine '" + spec.engine + "': this probe times in ONNX Runtime only (BigDL needs its 130 MB "
                    + "MKL library and Spark's classes); pass --engine onnxruntime, or time BigDL on that machine with "
                    + "'bin/nasbert latency --set latency.engine=bigdl'");
        }
        Path out = Paths.get(options.get("--out"));
        long start = System.nanoTime();
        System.err.printf("nasbert-latency-probe: timing the parts of widths %s in ONNX Runtime %s, batch %d x %d tokens, "
                        + "%d thread(s), %d runs ...%n", java.util.Arrays.toString(spec.space.hiddenSizes()), OrtLatencyMeter.version(),
                spec.batch, spec.sequenceLength, spec.threads, spec.runs);
        LatencyTable table = new OrtLatencyMeter(spec.batch, spec.sequenceLength, spec.threads, spec.runs, spec.runs,
                spec.space.ffnRatio(), 30522).withOutputWidth(spec.outputWidth).measure(spec.space, spec.embeddingSize,
                LatencyConditions.machine());
        write(out, table.toJson());
        System.out.printf("%s: %d parts on %s (%s), %.0f s; import with: bin/nasbert latency --import %s (or --set "
                        + "latency.tables=<device>=%s)%n", out, table.parts().size(), table.conditions().get("host"),
                table.conditions().get(LatencyConditions.CPU), (System.nanoTime() - start) / 1e9, out.getFileName(), out.getFileName());
    }

    private static TableSpec spec(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NasbertException("--space " + file + ": no such file (expected the run's latency/space.json or a settings file)");
        }
        String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        if (text.trim().startsWith("{")) {
            return TableSpec.fromJson(text, file.toString());
        }
        Settings settings = Settings.defaults().withFile(file);
        return TableSpec.of(settings, settings.get(SearchSettings.EMBEDDING_SIZE));
    }

    private static <T> T value(Map<String, String> options, String option, Setting<T> setting, T otherwise) {
        String raw = options.get(option);
        return raw == null ? otherwise : setting.parse(raw, "the probe's " + option);
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            boolean known = a.equals("--space") || a.equals("--out") || a.equals("--engine") || a.equals("--threads") || a.equals("--batch")
                    || a.equals("--length") || a.equals("--runs") || a.equals("--students") || a.equals("--table");
            if (!known || i + 1 >= args.length) {
                throw new NasbertException((known ? "option " + a + " needs a value" : "unknown argument '" + a + "'") + "; " + USAGE);
            }
            out.put(a, args[++i]);
        }
        return out;
    }

    /** Written beside the target and moved into place: a reader never sees half a table. */
    private static void write(Path out, String json) throws IOException {
        Path dir = out.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".probe-", ".json.tmp");
        try {
            Files.write(tmp, json.getBytes(StandardCharsets.UTF_8));
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
