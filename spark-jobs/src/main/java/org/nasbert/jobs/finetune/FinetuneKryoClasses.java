package org.nasbert.jobs.finetune;

import org.nasbert.finetune.EncodedExample;
import org.nasbert.spark.KryoClasses;

import java.util.Arrays;
import java.util.List;

/** The finetune and evaluate stages' classes that Spark ships to tasks, broadcasts and collects. */
public final class FinetuneKryoClasses implements KryoClasses {
    @Override
    public List<Class<?>> classes() {
        return Arrays.asList(EncodedExample.class, FinetuneStage.Job.class, FinetuneStage.Result.class);
    }
}
