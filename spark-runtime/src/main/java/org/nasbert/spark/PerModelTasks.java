package org.nasbert.spark;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.api.java.function.VoidFunction;

import java.util.ArrayList;
import java.util.List;

/**
 * One Spark task per model, the way distill, fidelity, finetune, evaluate and export spread their models over the
 * cluster: each model's work runs in a task of its own (a lost executor reruns only its models), results come back in
 * the models' order, and the Spark UI names the job after the stage and the number of models.
 */
public final class PerModelTasks {
    private static final String DESCRIPTION = "spark.job.description";

    private PerModelTasks() {
    }

    /** {@code task} applied to every model, each in its own task; the results in the models' order. */
    public static <M, R> List<R> map(JavaSparkContext jsc, String what, List<M> models, Function<M, R> task) {
        if (models.isEmpty()) {
            return new ArrayList<>();
        }
        String previous = jsc.getLocalProperty(DESCRIPTION);
        jsc.setJobDescription(what + ": " + models.size() + " model(s), one task each");
        try {
            return jsc.parallelize(models, models.size()).map(task).collect();
        } finally {
            jsc.setLocalProperty(DESCRIPTION, previous);
        }
    }

    /** {@code task} run for every model, each in its own task. */
    public static <M> void forEach(JavaSparkContext jsc, String what, List<M> models, VoidFunction<M> task) {
        if (models.isEmpty()) {
            return;
        }
        String previous = jsc.getLocalProperty(DESCRIPTION);
        jsc.setJobDescription(what + ": " + models.size() + " model(s), one task each");
        try {
            jsc.parallelize(models, models.size()).foreach(task);
        } finally {
            jsc.setLocalProperty(DESCRIPTION, previous);
        }
    }
}
