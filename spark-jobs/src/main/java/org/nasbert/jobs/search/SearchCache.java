package org.nasbert.jobs.search;

import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.nasbert.io.Json;
import org.nasbert.jobs.latency.LatencyManifest;
import org.nasbert.jobs.teacher.TeacherManifest;
import org.nasbert.jobs.trainblocks.SupernetManifest;
import org.nasbert.stage.StageContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a search measured that a later search on the same run can reuse: each student's whole-model loss and each chosen
 * student's whole timing, in {@code <run>/_search-cache/cache.json}. A new constraint then scores and times only the
 * students no earlier search saw. The cache holds for the teacher states, trained supernet and latency table it was
 * measured on and for search.eval-sequences (their manifests' creation times and the setting are its key): any other
 * key starts it over, so a redone train-blocks or latency never meets old numbers.
 */
final class SearchCache {
    static final String DIR = "_search-cache";
    private static final String FILE = "cache.json";
    private static final Logger LOG = LoggerFactory.getLogger(SearchCache.class);

    public String key;
    /** Whole-model held-out loss by architecture. */
    public Map<String, Double> losses = new LinkedHashMap<>();
    /** Whole timing by "architecture @ embedding size": median, p10, p90 ms, runs, the parts' sum timed alongside. */
    public Map<String, double[]> timings = new LinkedHashMap<>();

    /** The run's cache for this context's inputs, or an empty one (none yet, another key, unreadable). */
    static SearchCache read(StageContext context, int evalSequences) throws IOException {
        String key = key(context, evalSequences);
        Path file = new Path(new Path(context.run().root(), DIR), FILE);
        FileSystem fs = context.run().fileSystem();
        SearchCache cache = new SearchCache();
        if (fs.exists(file)) {
            try (InputStream in = fs.open(file)) {
                SearchCache stored = Json.MAPPER.readValue(in, SearchCache.class);
                if (key.equals(stored.key)) {
                    cache = stored;
                } else {
                    LOG.info("search: {} belongs to other inputs; scoring afresh", file);
                }
            } catch (IOException e) {
                LOG.warn("search: {} is unreadable ({}); scoring afresh", file, e.getMessage());
            }
        }
        cache.key = key;
        return cache;
    }

    /** Replaces the stored cache with this one (written beside it, then renamed: a reader never sees half of it). */
    void write(StageContext context) throws IOException {
        Path dir = new Path(context.run().root(), DIR);
        FileSystem fs = context.run().fileSystem();
        Path tmp = new Path(dir, FILE + ".tmp");
        try (FSDataOutputStream out = fs.create(tmp, true)) {
            Json.MAPPER.writerWithDefaultPrettyPrinter().writeValue(out, this);
        }
        Path file = new Path(dir, FILE);
        fs.delete(file, false);
        if (!fs.rename(tmp, file)) {
            throw new IOException("cannot rename " + tmp + " to " + file);
        }
    }

    private static String key(StageContext context, int evalSequences) throws IOException {
        return "teacher " + TeacherManifest.read(context.run()).created + ", supernet " + SupernetManifest.read(context.run()).created
                + ", latency " + LatencyManifest.read(context.run()).created + ", eval-sequences " + evalSequences;
    }
}
