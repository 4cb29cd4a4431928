package org.nasbert.stage;

import org.apache.hadoop.fs.Path;
import org.nasbert.conf.Setting;
import org.nasbert.io.StepCheckpoints;

import java.io.IOException;
import java.util.List;

/**
 * What a stage's checkpoints were written for, as text: every setting that shapes them (not the checkpoint interval:
 * how often to save does not change what is saved) and every input they depend on. Checkpoints resume only a run with
 * the same key; any other starts over. The one scheme of train-blocks, distill, fidelity and finetune.
 */
public final class CheckpointKey {
    private final StringBuilder text = new StringBuilder();

    private CheckpointKey() {
    }

    /** The values of {@code settings} as the stage runs with them, {@code interval} left out. */
    public static CheckpointKey of(StageContext context, List<Setting<?>> settings, Setting<?> interval) {
        CheckpointKey key = new CheckpointKey();
        for (Setting<?> s : settings) {
            if (!s.key().equals(interval.key())) {
                key.with(s.key(), context.settings().recorded(s));
            }
        }
        return key;
    }

    /** Another input the checkpoints depend on (a teacher, a digest of the examples, the students). */
    public CheckpointKey with(String name, Object value) {
        text.append(name).append('=').append(value).append('\n');
        return this;
    }

    /** Keeps the checkpoints under {@code dir} only if they were written for this key; returns whether they were kept. */
    public boolean keepOnly(StageContext context, Path dir) throws IOException {
        boolean existed = context.run().fileSystem().exists(dir);
        return StepCheckpoints.keepOnlyFor(context.run().fileSystem(), dir, text.toString()) || !existed;
    }

    @Override
    public String toString() {
        return text.toString();
    }
}
