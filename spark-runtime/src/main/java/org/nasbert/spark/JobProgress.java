package org.nasbert.spark;

import org.apache.spark.SparkContext;
import org.apache.spark.SparkJobInfo;
import org.apache.spark.SparkStageInfo;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.JavaSparkStatusTracker;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.nasbert.Progress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The driver's view of a running stage: every interval ({@link Progress}'s) one line per Spark job of the stage's job
 * group that has run that long, with its description, tasks done of all, tasks running, time elapsed and an ETA from
 * the tasks' pace. It needs nothing from the executors, so it works the same on YARN as locally.
 */
public final class JobProgress extends SparkListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JobProgress.class);
    /** The watcher looks this often at least, however small the interval (0 in tests). */
    private static final long MIN_POLL_MILLIS = 200;
    private final SparkContext sc;
    private final String group;
    private final String stage;
    private final long intervalNanos = Progress.intervalNanos();
    private final Map<Integer, Job> jobs = new ConcurrentHashMap<>();
    private final Consumer<String> sink;
    private final Thread thread;
    private volatile boolean stopped;

    /** A job of the group: its description and when it started; when it was last reported. */
    private static final class Job {
        final String description;
        final long started = System.nanoTime();
        long reported = started;

        Job(String description) {
            this.description = description;
        }
    }

    private JobProgress(SparkContext sc, String group, String stage, Consumer<String> sink) {
        this.sink = sink;
        this.sc = sc;
        this.group = group;
        this.stage = stage;
        this.thread = new Thread(this::watch, "nasbert-progress-" + stage);
        thread.setDaemon(true);
    }

    /** Starts watching the jobs of {@code group} (the stage's job group) until {@link #close()}. */
    public static JobProgress watch(SparkContext sc, String group, String stage) {
        return watch(sc, group, stage, LOG::info);
    }

    /** As above, each line to {@code sink}. */
    static JobProgress watch(SparkContext sc, String group, String stage, Consumer<String> sink) {
        JobProgress p = new JobProgress(sc, group, stage, sink);
        sc.addSparkListener(p);
        p.thread.start();
        return p;
    }

    @Override
    public void onJobStart(SparkListenerJobStart start) {
        if (start.properties() != null && group.equals(start.properties().getProperty("spark.jobGroup.id"))) {
            String description = start.properties().getProperty("spark.job.description", "job " + start.jobId());
            jobs.put(start.jobId(), new Job(description));
        }
    }

    private void watch() {
        JavaSparkStatusTracker tracker = JavaSparkContext.fromSparkContext(sc).statusTracker();
        while (!stopped) {
            try {
                Thread.sleep(Math.max(MIN_POLL_MILLIS, intervalNanos / 1_000_000));
            } catch (InterruptedException e) {
                return;
            }
            for (Map.Entry<Integer, Job> e : jobs.entrySet()) {
                report(tracker, e.getKey(), e.getValue());
            }
        }
    }

    private void report(JavaSparkStatusTracker tracker, int jobId, Job job) {
        SparkJobInfo info = tracker.getJobInfo(jobId);
        if (info == null || info.status() != org.apache.spark.JobExecutionStatus.RUNNING) {
            jobs.remove(jobId);
            return;
        }
        long now = System.nanoTime();
        if (now - job.reported < intervalNanos) {
            return;
        }
        job.reported = now;
        int total = 0;
        int done = 0;
        int running = 0;
        for (int stageId : info.stageIds()) {
            SparkStageInfo s = tracker.getStageInfo(stageId);
            if (s != null) {
                total += s.numTasks();
                done += s.numCompletedTasks();
                running += s.numActiveTasks();
            }
        }
        sink.accept(line(stage, job.description, done, total, running, (now - job.started) / 1e9));
    }

    /** "<stage>: <description>: 3/10 tasks done, 2 running, 1:23 elapsed, ETA about 2:10". */
    static String line(String stage, String description, int done, int total, int running, double seconds) {
        String eta = done == 0 ? "not yet known" : "about " + Progress.clock(seconds * (total - done) / done);
        return String.format("%s: %s: %d/%d tasks done, %d running, %s elapsed, ETA %s", stage, description, done, total,
                running, Progress.clock(seconds), eta);
    }

    @Override
    public void close() {
        stopped = true;
        thread.interrupt();
        sc.removeSparkListener(this);
    }
}
