package org.nasbert.jobs.trainblocks;

import org.nasbert.spark.KryoClasses;

import java.util.Arrays;
import java.util.List;

/** Block training's classes that cross Spark's shuffles and results. */
public final class SupernetKryoClasses implements KryoClasses {
    @Override
    public List<Class<?>> classes() {
        return Arrays.asList(TrainingRow.class, StepResult.class, byte[][].class, float[][].class, float[][][].class,
                double[].class, double[][].class);
    }
}
