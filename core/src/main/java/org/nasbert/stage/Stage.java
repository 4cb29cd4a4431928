package org.nasbert.stage;

import org.nasbert.conf.Setting;
import org.nasbert.io.StageOutput;

import java.util.List;
import java.util.Map;

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

    /** Settings this stage reads: listed by --help, recorded in the manifest, compared on reruns. */
    List<Setting<?>> settings();

    /**
     * Whether a finished output made with other settings is redone rather than refused: true for stages that
     * only read earlier outputs and take seconds (the search answers a new constraint), false where redoing
     * would silently throw away hours of work.
     */
    default boolean redoneForNewSettings() {
        return false;
    }

    /**
     * Does the work, writing into {@code output.temp()}; returns the stage's part of the manifest.
     */
    Map<String, Object> run(StageContext context, StageOutput output) throws Exception;
}
