package org.nasbert.jobs.search;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.nasbert.io.RunDirectory;
import org.nasbert.stage.Manifest;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** {@code <run>/search/manifest.json}: how many constraints and students; the choices themselves are in pareto.json. */
public final class SearchManifest extends Manifest {
    public int constraints;
    /** Per constraint, one line: the constraint and the student chosen for it (or why none). */
    public List<String> chosen = new ArrayList<>();
    @JsonProperty("students_evaluated")
    public int studentsEvaluated;
    @JsonProperty("pareto_front")
    public int paretoFront;
    /** The devices whose latency tables the search read, the run's own first. */
    public List<String> devices = new ArrayList<>();
    @JsonProperty("seconds_selection")
    public double secondsSelection;
    /** Median |error| of the table's latency for the chosen students timed whole; null when not timed (imported table). */
    @JsonProperty("latency_median_abs_error")
    public Double latencyMedianAbsError;
    /** Students scored whole by this search; the others' losses came from an earlier search of the run (its cache). */
    @JsonProperty("students_scored_now")
    public int studentsScoredNow;
    /** Chosen students timed whole by this search; the others' timings came from an earlier search of the run. */
    @JsonProperty("students_timed_now")
    public int studentsTimedNow;

    public static SearchManifest read(RunDirectory run) throws IOException {
        return run.manifest(SearchStage.OUTPUT, SearchManifest.class);
    }

    @Override
    public String headline(String output) {
        StringBuilder s = new StringBuilder(String.format("%d students scored whole, %d on the Pareto front; chosen:",
                studentsEvaluated, paretoFront));
        for (String c : chosen) {
            s.append(String.format("%n               %s", c));
        }
        if (latencyMedianAbsError != null) {
            s.append(String.format("%n             chosen students built whole and timed: median |error| of the predicted latency %.1f%%",
                    100 * latencyMedianAbsError));
        }
        return s.append(String.format("%n             %s/pareto.json", output)).toString();
    }
}
