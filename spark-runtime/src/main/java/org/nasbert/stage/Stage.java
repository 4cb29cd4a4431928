package org.nasbert.stage;

import org.nasbert.conf.Setting;
import org.nasbert.io.StageOutput;

import java.util.Collections;
import java.util.List;

/**
 * One step of the pipeline (tokenize, teacher, train-blocks, ...). A stage reads finished outputs of
 * earlier stages from the run directory and writes its own through {@link StageOutput}; the
 * {@link StageRunner} gives it skip-if-finished, atomic commit, a Spark job group and timing.
 */
public interface Stage {
    /** The name users type: {@code bin/nasbert <name>}. */
    String name();

    /** One line for --help. */
    String summary();

    /** The output directory under the run directory. */
    String output();

    /**
     * Settings this stage reads: listed by --help, recorded in the manifest, compared on reruns. They are the only
     * ones it can read ({@link StageContext#settings()} refuses any other).
     */
    List<Setting<?>> settings();

    /**
     * The stages whose finished outputs this one reads. The runner refuses to start it, before any Spark work, while
     * one of them is missing, naming the command that makes it; the pipeline runs each stage after its inputs.
     */
    default List<Stage> inputs() {
        return Collections.emptyList();
    }

    /**
     * Stages whose outputs this one reads when they are finished and does without otherwise (e.g. the report's
     * fidelity section). An optional input may come later in the pipeline: a rerun then reads it.
     */
    default List<Stage> optionalInputs() {
        return Collections.emptyList();
    }

    /**
     * Whether a finished output made with other settings is redone rather than refused: true for stages that
     * only read earlier outputs and take seconds (the search answers a new constraint), false where redoing
     * would silently throw away hours of work.
     */
    default boolean redoneForNewSettings() {
        return false;
    }

    /**
     * What the stage's driver and each executor must hold, estimated from its settings and inputs before any Spark
     * work; the runner refuses a stage that would not fit, naming the memory setting to raise ({@link MemoryGuard}).
     */
    default MemoryNeed memoryNeed(StageContext context) throws Exception {
        return MemoryNeed.NONE;
    }

    /**
     * Does the work, writing into {@code output.temp()}; returns the stage's manifest (the runner adds the fields every
     * manifest has).
     */
    Manifest run(StageContext context, StageOutput output) throws Exception;

    /** The class of this stage's manifest, to read a finished output back (a skipped stage's summary, later stages). */
    Class<? extends Manifest> manifestType();
}
