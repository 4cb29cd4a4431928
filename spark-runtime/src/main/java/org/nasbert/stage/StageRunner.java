package org.nasbert.stage;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;
import org.nasbert.NasbertException;
import org.nasbert.Version;
import org.nasbert.conf.RunSettings;
import org.nasbert.conf.Setting;
import org.nasbert.conf.Settings;
import org.nasbert.io.Json;
import org.nasbert.io.RunDirectory;
import org.nasbert.io.StageOutput;
import org.nasbert.spark.ExecutorMachines;
import org.nasbert.spark.JobProgress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs one stage with the run-directory conventions: a finished output is skipped (unless forced)
 * and must have been made with the same settings; work goes to a temporary directory that is
 * committed atomically or removed on failure; the Spark UI shows the stage as its own job group.
 */
public final class StageRunner {
    private static final Logger LOG = LoggerFactory.getLogger(StageRunner.class);

    private StageRunner() {
    }

    public static StageResult run(Stage stage, Settings settings, SparkSession spark, boolean force) throws Exception {
        Map<String, String> asked = resolvedSettings(stage, settings);
        RunDirectory run = new RunDirectory(settings.get(RunSettings.DIR), spark.sparkContext().hadoopConfiguration());
        if (!force && run.isComplete(stage.output())) {
            List<String> differences = differences(run, stage, asked);
            if (!stage.redoneForNewSettings() || differences.isEmpty()) {
                return skip(stage, run, differences);
            }
            LOG.info("{}: redoing {} for new settings ({})", stage.name(), run.path(stage.output()), String.join("; ", differences));
        }
        requireInputs(stage, run);
        StageContext context = scopedContext(stage, settings, spark, run);
        MemoryGuard.check(stage.name(), stage.memoryNeed(context), spark.sparkContext().getConf(), Runtime.getRuntime().maxMemory());
        SparkContext sc = spark.sparkContext();
        String group = "nasbert-" + stage.name();
        sc.setJobGroup(group, "nasbert " + stage.name() + " -> " + run.path(stage.output()), true);
        long start = System.nanoTime();
        StageOutput output = run.begin(stage.output());
        LOG.info("{}: writing {} (via {})", stage.name(), output.target(), output.temp());
        try {
            Manifest manifest;
            long heapPeakMb;
            try (JobProgress progress = JobProgress.watch(sc, group, stage.name()); HeapWatch heap = HeapWatch.start()) {
                manifest = stage.run(context, output);
                heapPeakMb = heap.peakMb();
            }
            manifest.stage = stage.name();
            manifest.nasbertVersion = Version.VERSION;
            manifest.sparkVersion = spark.version();
            manifest.created = Instant.now().toString();
            manifest.settings = asked;
            manifest.machines = ExecutorMachines.describe(sc);
            double seconds = (System.nanoTime() - start) / 1e9;
            manifest.seconds = Math.round(seconds * 10) / 10.0;
            manifest.resources = resources(output, heapPeakMb);
            output.commit(manifest);
            LOG.info("{}: finished in {} s -> {}", stage.name(), String.format("%.1f", seconds), output.target());
            // through text, as a reader of the file sees it (numbers typed by their size, not by the Java field)
            return new StageResult(stage.name(), output.target(), false, Json.MAPPER.readTree(Json.MAPPER.writeValueAsString(manifest)),
                    manifest, seconds);
        } catch (Throwable t) {
            output.abort();
            sc.cancelJobGroup(group);
            awaitCancelledTasks(sc, stage.name());
            if (Failures.fromTheEnvironment(t)) { // one line that names the root cause, the trace in the log
                LOG.error(stage.name() + " failed", t);
                throw new NasbertException(Failures.oneLine(stage.name(), output.target(), t), t);
            }
            throw t;
        } finally {
            sc.clearJobGroup();
        }
    }

    /** How long a failed stage waits for its cancelled tasks to stop (each checks once per step). */
    static final long CANCEL_WAIT_MILLIS = 120_000;

    /**
     * Returns once no task runs any more (or after {@link #CANCEL_WAIT_MILLIS}): a task still training after its job
     * failed would write checkpoints while the stage's rerun in this JVM (a test, a notebook) reads them.
     */
    static void awaitCancelledTasks(SparkContext sc, String stage) throws InterruptedException {
        long deadline = System.currentTimeMillis() + CANCEL_WAIT_MILLIS;
        int running = runningTasks(sc);
        if (running > 0) {
            LOG.info("{}: waiting for {} cancelled task(s) to stop", stage, running);
        }
        while (running > 0 && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
            running = runningTasks(sc);
        }
        if (running > 0) {
            LOG.warn("{}: {} cancelled task(s) still running after {} s", stage, running, CANCEL_WAIT_MILLIS / 1000);
        }
    }

    /**
     * Tasks launched and not yet reported ended, as the scheduler holds them: the status tracker would be behind, as
     * it counts from listener events that arrive later.
     */
    static int runningTasks(SparkContext sc) {
        if (sc.taskScheduler() instanceof org.apache.spark.scheduler.TaskSchedulerImpl) {
            int running = 0;
            scala.collection.Iterator<Object> counts = ((org.apache.spark.scheduler.TaskSchedulerImpl) sc.taskScheduler())
                    .runningTasksByExecutors().values().iterator();
            while (counts.hasNext()) {
                running += ((Number) counts.next()).intValue();
            }
            return running;
        }
        int running = 0;
        for (org.apache.spark.SparkExecutorInfo e : sc.statusTracker().getExecutorInfos()) {
            running += e.numRunningTasks();
        }
        return running;
    }

    private static Manifest.Resources resources(StageOutput output, long heapPeakMb) throws java.io.IOException {
        Manifest.Resources r = new Manifest.Resources();
        r.driverHeapPeakMb = heapPeakMb;
        r.driverHeapMaxMb = Math.round(Runtime.getRuntime().maxMemory() / 1048576.0);
        r.bytesWritten = output.fileSystem().exists(output.temp()) ? output.fileSystem().getContentSummary(output.temp()).getLength() : 0L;
        return r;
    }

    /** Each declared input finished, or one line naming the first missing one and the command that makes it. */
    static void requireInputs(Stage stage, RunDirectory run) throws java.io.IOException {
        for (Stage input : stage.inputs()) {
            if (!run.isComplete(input.output())) {
                throw new NasbertException(stage.name() + " reads the " + input.name() + " stage's output " + run.path(input.output())
                        + ", which is missing or unfinished (no " + RunDirectory.SUCCESS + "); make it first with: bin/nasbert "
                        + input.name() + " --run " + run.root());
            }
        }
    }

    /** What the stage may read: its declared settings (and run.dir), its declared inputs and its own output. */
    static StageContext scopedContext(Stage stage, Settings settings, SparkSession spark, RunDirectory run) {
        List<String> keys = new ArrayList<>();
        keys.add(RunSettings.DIR.key());
        for (Setting<?> setting : stage.settings()) {
            keys.add(setting.key());
        }
        List<String> outputs = new ArrayList<>();
        outputs.add(stage.output());
        for (Stage input : stage.inputs()) {
            outputs.add(input.output());
        }
        for (Stage input : stage.optionalInputs()) {
            outputs.add(input.output());
        }
        return new StageContext(spark, settings.scopedTo(stage.name(), keys), run.scopedTo(stage.name(), outputs));
    }

    private static List<String> differences(RunDirectory run, Stage stage, Map<String, String> asked) throws Exception {
        JsonNode manifest = run.manifest(stage.output());
        List<String> differences = new ArrayList<>();
        for (Map.Entry<String, String> e : asked.entrySet()) {
            JsonNode before = manifest.path("settings").get(e.getKey());
            if (before == null || !before.asText().equals(e.getValue())) {
                differences.add(e.getKey() + ": " + (before == null ? "(unset)" : before.asText()) + " -> " + e.getValue());
            }
        }
        return differences;
    }

    private static StageResult skip(Stage stage, RunDirectory run, List<String> differences) throws Exception {
        JsonNode manifest = run.manifest(stage.output());
        if (!differences.isEmpty()) {
            throw new NasbertException(run.path(stage.output()) + " was finished with other settings ("
                    + String.join("; ", differences) + "); rerun with --force to redo it, or use another run.dir");
        }
        LOG.info("{}: {} is already finished; skipping (use --force to redo it)", stage.name(), run.path(stage.output()));
        return new StageResult(stage.name(), run.path(stage.output()), true, manifest,
                run.manifest(stage.output(), stage.manifestType()), 0);
    }

    /** Every setting of the stage, checked now (before Spark does any work) and as the run will use it. */
    static Map<String, String> resolvedSettings(Stage stage, Settings settings) {
        Map<String, String> resolved = new LinkedHashMap<>();
        for (Setting<?> setting : stage.settings()) {
            resolved.put(setting.key(), settings.recorded(setting));
        }
        return resolved;
    }
}
