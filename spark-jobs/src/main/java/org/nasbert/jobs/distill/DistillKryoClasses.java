package org.nasbert.jobs.distill;

import org.nasbert.spark.KryoClasses;

import java.util.Arrays;
import java.util.List;

/** The distill stage's classes that Spark ships to tasks and broadcasts. */
public final class DistillKryoClasses implements KryoClasses {
    @Override
    public List<Class<?>> classes() {
        return Arrays.asList(DistillRow.class, DistillStage.Job.class);
    }
}
