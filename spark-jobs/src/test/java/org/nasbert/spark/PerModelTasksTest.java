package org.nasbert.spark;

import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.nasbert.testing.LocalSpark;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** One task per model: the costliest models' tasks come first, the results in the models' order. */
class PerModelTasksTest {
    @Test
    void startsTheCostliestModelsFirstAndAnswersInTheModelsOrder() {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(LocalSpark.session().sparkContext());
        List<String> models = Arrays.asList("small:1", "large:9", "medium:4", "tie-a:4", "tiny:0");
        List<String> results = PerModelTasks.mapLargestFirst(jsc, "test", models, m -> Double.parseDouble(m.split(":")[1]),
                m -> m.split(":")[0] + " in task " + TaskContext.getPartitionId());
        // Spark launches tasks in partition order: large, then the two 4s in the models' order, small, tiny
        assertEquals(Arrays.asList("small in task 3", "large in task 0", "medium in task 1", "tie-a in task 2", "tiny in task 4"),
                results);
        assertArrayEquals(new Integer[]{1, 2, 3, 0, 4}, PerModelTasks.largestFirst(models, m -> Double.parseDouble(m.split(":")[1])));
        assertEquals(Arrays.asList(), PerModelTasks.mapLargestFirst(jsc, "test", Arrays.<String>asList(), m -> 1.0, m -> m));
    }
}
