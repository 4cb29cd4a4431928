package org.nasbert.spark;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.api.java.function.VoidFunction;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.function.ToDoubleFunction;

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

    /**
     * As {@link #map}, with the tasks started most costly first ({@code cost}: an estimate in any unit, such as a
     * model's arithmetic per token). Spark launches a job's tasks in partition order; started largest first, the long
     * ones no longer run alone at the end while the other cores wait (longest processing time first, within 4/3 of the
     * best schedule). The results still come back in the models' order, and what a task computes does not depend on
     * where it runs.
     */
    public static <M, R> List<R> mapLargestFirst(JavaSparkContext jsc, String what, List<M> models, ToDoubleFunction<M> cost,
                                                 Function<M, R> task) {
        Integer[] order = largestFirst(models, cost);
        List<M> reordered = new ArrayList<>();
        for (int i : order) {
            reordered.add(models.get(i));
        }
        List<R> results = map(jsc, what, reordered, task);
        List<R> inModelOrder = new ArrayList<>(Collections.nCopies(models.size(), (R) null));
        for (int i = 0; i < order.length; i++) {
            inModelOrder.set(order[i], results.get(i));
        }
        return inModelOrder;
    }

    /** The models' indices, most costly first; equal costs keep the models' order. */
    static <M> Integer[] largestFirst(List<M> models, ToDoubleFunction<M> cost) {
        Integer[] order = new Integer[models.size()];
        double[] costs = new double[models.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
            costs[i] = cost.applyAsDouble(models.get(i));
        }
        Arrays.sort(order, (a, b) -> Double.compare(costs[b], costs[a]));
        return order;
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
