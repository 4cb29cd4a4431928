package org.nasbert.jobs.trainblocks;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nasbert.testing.LocalSpark;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Block training's cached rows: every row once, each partition in the input's order. Steps draw rows by their place in
 * a partition, so this order is what makes a run's minibatches, and so its numbers, the same on any cluster
 * (ExecutorLossIT compares a local-cluster run that lost an executor with a local one).
 */
class TrainingDataTest {
    private static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = LocalSpark.session();
    }

    @Test
    void eachPartitionHoldsItsRowsInTheInputsOrder() {
        int[] sizes = {7, 0, 13, 4, 9};
        int total = Arrays.stream(sizes).sum();
        // input partition p holds sizes[p] rows; a row's length names it: its place in the whole input
        JavaRDD<TrainingRow> data = JavaSparkContext.fromSparkContext(spark.sparkContext())
                .parallelize(Arrays.asList(0, 1, 2, 3, 4), sizes.length).flatMap(p -> {
                    List<TrainingRow> rows = new ArrayList<>();
                    for (int k = 0; k < sizes[p]; k++) {
                        rows.add(new TrainingRow(Arrays.stream(sizes, 0, p).sum() + k, new byte[0][]));
                    }
                    return rows.iterator();
                });
        List<List<TrainingRow>> partitions = TrainingData.cached(data, 3).glom().collect();

        assertEquals(3, partitions.size());
        List<Integer> seen = new ArrayList<>();
        for (List<TrainingRow> partition : partitions) {
            for (int i = 0; i < partition.size(); i++) {
                TrainingRow row = partition.get(i);
                seen.add(row.length);
                // input partition p, position k: the rows before it in the input are the sizes before p plus k
                int p = (int) (row.order >>> 32);
                long k = row.order & 0xffffffffL;
                assertEquals(Arrays.stream(sizes, 0, p).sum() + k, row.length, "the order records the row's input place");
                if (i > 0) {
                    assertTrue(partition.get(i - 1).length < row.length, "partition in input order: " + lengths(partition));
                }
            }
        }
        seen.sort(null);
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            all.add(i);
        }
        assertEquals(all, seen, "every row once");
    }

    private static List<Integer> lengths(List<TrainingRow> rows) {
        List<Integer> out = new ArrayList<>();
        rows.forEach(r -> out.add(r.length));
        return out;
    }
}
