package org.nasbert.jobs.evaluate;

import org.nasbert.spark.KryoClasses;

import java.util.Collections;
import java.util.List;

/** The evaluate stage's classes that Spark ships to tasks. */
public final class EvaluateKryoClasses implements KryoClasses {
    @Override
    public List<Class<?>> classes() {
        return Collections.singletonList(EvaluateStage.Model.class);
    }
}
