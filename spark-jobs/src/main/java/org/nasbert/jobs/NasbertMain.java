package org.nasbert.jobs;

import org.nasbert.conf.RunSettings;
import org.apache.spark.sql.SparkSession;
import org.nasbert.NasbertException;
import org.nasbert.conf.Setting;
import org.nasbert.conf.Settings;
import org.nasbert.io.RunDirectory;
import org.nasbert.io.RunLock;
import org.nasbert.engine.MklDispatch;
import org.nasbert.spark.SparkSessions;
import org.nasbert.stage.Stage;
import org.nasbert.stage.StageResult;
import org.nasbert.stage.StageRunner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The one entry point: {@code <stage> [options]}, for spark-submit (bin/nasbert with a cluster) and
 * for local runs in this process. Settings are checked and printed before Spark starts; stdout
 * carries only the results, logs go to stderr. Exit codes: 0 done, 1 failed, 2 wrong command line.
 */
public final class NasbertMain {
    static final String DEMO = "demo";
    static final String PIPELINE = "pipeline";
    static final String DEMO_RUN_DIR = "runs/demo";
    static final String DEMO_PROFILE = "/org/nasbert/conf/demo-profile.properties";
    private static final Logger LOG = LoggerFactory.getLogger(NasbertMain.class);

    private NasbertMain() {
    }

    public static void main(String[] args) {
        int code = run(args, System.out, System.err).exitCode;
        if (insideYarnApplicationMaster()) {
            // YARN cluster mode: the ApplicationMaster reports the application's final status when main returns or
            // throws; a System.exit, even exit(0), is reported as a failure and the application is attempted again
            if (code != 0) {
                throw new IllegalStateException("nasbert " + (args.length > 0 ? args[0] : "") + " failed (exit code " + code
                        + "); the reason is on this driver's stderr");
            }
            return;
        }
        System.exit(code); // elsewhere a lingering non-daemon thread must not keep the command alive
    }

    /** Spark's ApplicationMaster sets these before it starts the driver's main in YARN cluster deploy mode. */
    static boolean insideYarnApplicationMaster() {
        return System.getProperty("spark.yarn.app.id") != null && "cluster".equals(System.getProperty("spark.submit.deployMode"));
    }

    /** What a run did, for tests and callers. */
    public static final class Result {
        public final int exitCode;
        public final List<StageResult> stages;

        Result(int exitCode, List<StageResult> stages) {
            this.exitCode = exitCode;
            this.stages = stages;
        }
    }

    public static Result run(String[] args, PrintStream out, PrintStream err) {
        String command = args.length > 0 ? args[0] : "";
        SparkSession spark = null;
        try {
            MklDispatch.prepare(); // before anything loads BigDL's MKL; a bad NASBERT_MKL_DISPATCH stops here
            List<Stage> stages = stagesOf(command);
            CommandLine cli = CommandLine.parse(args, stages);
            if (cli.command == null) {
                Help.general(out, Stages.pipeline());
                return new Result(0, Collections.emptyList());
            }
            if (cli.help) {
                if (stages.size() == 1) {
                    Help.stage(out, stages.get(0));
                } else {
                    Help.general(out, Stages.pipeline());
                }
                return new Result(0, Collections.emptyList());
            }
            Settings settings = cli.settings;
            if (DEMO.equals(command)) {
                settings = demoProfile(settings);
            }
            check(settings, stages);
            LOG.info("MKL code path: {}", MklDispatch.prepare().reason);
            spark = SparkSessions.start(SparkSessions.conf(appName(command, settings),
                    cli.master != null ? cli.master : "local[*]"));
            List<StageResult> results = new ArrayList<>();
            long start = System.nanoTime();
            RunDirectory run = new RunDirectory(settings.get(RunSettings.DIR), spark.sparkContext().hadoopConfiguration());
            try (RunLock lock = RunLock.acquire(run.fileSystem(), run.root(), command, spark.sparkContext().applicationId())) {
                for (Stage stage : stages) {
                    results.add(StageRunner.run(stage, settings, spark, cli.force));
                }
            }
            Summary.print(out, command, results, (System.nanoTime() - start) / 1e9);
            return new Result(0, results);
        } catch (UsageException e) {
            err.println(e.getMessage());
            return new Result(2, Collections.emptyList());
        } catch (NasbertException e) {
            err.println("nasbert " + command + ": " + e.getMessage());
            return new Result(1, Collections.emptyList());
        } catch (Exception | Error e) {
            LOG.error("nasbert " + command + " failed", e);
            NasbertException cause = userFacingCause(e);
            String message = cause != null ? cause.getMessage() : outOfMemory(e) ? OUT_OF_MEMORY : "failed: " + e;
            err.println("nasbert " + command + ": " + message);
            return new Result(1, Collections.emptyList());
        } finally {
            if (spark != null) {
                spark.stop();
            }
        }
    }

    static final String OUT_OF_MEMORY = "out of memory (Java heap space): give the JVMs more (NASBERT_DRIVER_MEMORY in local "
            + "mode, --driver-memory and --executor-memory on a cluster) or lower the batch sizes (e.g. teacher.batch-size)";

    /** An OutOfMemoryError anywhere in the chain, or in a task failure that Spark reports as text. */
    private static boolean outOfMemory(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof OutOfMemoryError || String.valueOf(t.getMessage()).contains("java.lang.OutOfMemoryError")) {
                return true;
            }
        }
        return false;
    }

    /** The demo's scaled-down profile (conf/demo-profile.properties) for every setting the user left at its default. */
    static Settings demoProfile(Settings settings) throws java.io.IOException {
        java.util.Properties profile = new java.util.Properties();
        try (java.io.InputStream in = NasbertMain.class.getResourceAsStream(DEMO_PROFILE)) {
            profile.load(new java.io.InputStreamReader(in, java.nio.charset.StandardCharsets.UTF_8));
        }
        Settings out = settings;
        if (settings.origin("run.dir").startsWith("defaults")) {
            out = out.with("run.dir", DEMO_RUN_DIR, "demo");
        }
        for (String key : profile.stringPropertyNames()) {
            if (settings.origin(key).startsWith("defaults")) {
                out = out.with(key, profile.getProperty(key).trim(), "demo profile (conf/demo-profile.properties)");
            }
        }
        return out;
    }

    private static List<Stage> stagesOf(String command) {
        if (command.isEmpty() || command.startsWith("-") || command.equals("help")) {
            return Stages.pipeline();
        }
        if (DEMO.equals(command) || PIPELINE.equals(command)) {
            return Stages.pipeline();
        }
        Stage stage = Stages.named(command);
        if (stage == null) {
            List<String> names = new ArrayList<>();
            for (Stage s : Stages.pipeline()) {
                names.add(s.name());
            }
            names.add(PIPELINE);
            names.add(DEMO);
            throw new UsageException("nasbert: unknown stage '" + command + "'; stages: " + String.join(", ", names)
                    + " (see bin/nasbert --help)");
        }
        return Collections.singletonList(stage);
    }

    /** Every setting the stages read is valid, or we stop before Spark starts; they are printed. */
    private static void check(Settings settings, List<Stage> stages) {
        LOG.info("settings ({}):", "defaults < --conf-file < flags");
        LOG.info("  run.dir = {}   ({})", settings.get(RunSettings.DIR), settings.origin("run.dir"));
        Set<String> printed = new HashSet<>(); // several stages read some settings (teacher.model, search.embedding-size)
        for (Stage stage : stages) {
            for (Setting<?> setting : stage.settings()) {
                if (printed.add(setting.key())) {
                    LOG.info("  {} = {}   ({})", setting.key(), settings.recorded(setting), settings.origin(setting.key()));
                }
            }
        }
    }

    private static String appName(String command, Settings settings) {
        return "nasbert " + command + " run=" + settings.raw("run.dir");
    }

    /** A NasbertException wrapped by Spark (thrown in a task) still gives the user its message. */
    private static NasbertException userFacingCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof NasbertException) {
                return (NasbertException) t;
            }
        }
        return null;
    }
}
