package org.nasbert.spark;

import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nasbert.testing.LocalSpark;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Sums of float arrays whose last bits depend on the order of the additions: the reduction adds in the partitions'
 * order, whatever order their tasks end in, so the same inputs always give the same bits.
 */
class OrderedReduceTest {
    @TempDir
    Path temp;

    private static JavaSparkContext jsc() {
        return JavaSparkContext.fromSparkContext(LocalSpark.session().sparkContext());
    }

    /** Elementwise a += b, as the gradient sums do. */
    private static float[] add(float[] a, float[] b) {
        for (int i = 0; i < a.length; i++) {
            a[i] += b[i];
        }
        return a;
    }

    /**
     * Partition i holds {@code values[i]}; partition 0's task ends only after every other partition's (or after a
     * minute), so the driver receives it last: Spark's reduce would add 1e8 - 1e8 first and then 1 (seen: [1.0, 3.0]).
     */
    private JavaRDD<float[]> lastFirst(float[][] values) throws Exception {
        String dir = Files.createTempDirectory(temp, "done").toString();
        int n = values.length;
        List<float[]> rows = Arrays.asList(values);
        return jsc().parallelize(rows, n).mapPartitions(it -> {
            int p = TaskContext.getPartitionId();
            List<float[]> out = new ArrayList<>();
            it.forEachRemaining(v -> out.add(v.clone()));
            if (p == 0) {
                long deadline = System.nanoTime() + 60_000_000_000L;
                while (System.nanoTime() < deadline && finished(dir) < n - 1) {
                    Thread.sleep(20);
                }
                // and a little longer, so the others' results have most likely reached the driver (the assertions
                // hold whatever the order; this only makes the order they guard against the likely one)
                Thread.sleep(200);
            } else {
                Files.createFile(Paths.get(dir, "done-" + p));
            }
            return out.iterator();
        });
    }

    private static long finished(String dir) throws java.io.IOException {
        try (java.util.stream.Stream<Path> files = Files.list(Paths.get(dir))) {
            return files.count();
        }
    }

    @Test
    void addsThePartitionsInTheirOrderWhicheverTaskEndsFirst() throws Exception {
        // (1 + 1e8) - 1e8 = 0 in float (1e8's neighbours are 8 apart); (1e8 - 1e8) + 1 = 1
        float[][] values = {{1f, 3f}, {1e8f, 1e8f}, {-1e8f, -1e8f}};
        assertEquals(1, OrderedReduce.groupSize(3), "three partitions go to the driver as they are");
        float[] sum = OrderedReduce.reduce(lastFirst(values), OrderedReduceTest::add);
        assertArrayEquals(new float[]{0f, 0f}, sum);
        float[] again = OrderedReduce.reduce(jsc().parallelize(Arrays.asList(values), 3).map(float[]::clone), OrderedReduceTest::add);
        assertArrayEquals(sum, again, "the same bits when the tasks end in order");
    }

    @Test
    void manyPartitionsAreSummedInGroupsOfConsecutivePartitionsFirst() throws Exception {
        int partitions = 12;
        assertEquals(4, OrderedReduce.groupSize(partitions), "about the square root of the partitions");
        float[][] values = new float[partitions][];
        Random random = new Random(7);
        for (int p = 0; p < partitions; p++) {
            values[p] = new float[1000];
            for (int i = 0; i < values[p].length; i++) {
                values[p][i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(9) - 4));
            }
        }
        // the order the reduction promises: ((v0 + v1 + v2 + v3) + (v4 + ... + v7)) + (v8 + ... + v11), each left to right
        float[] expected = null;
        for (int g = 0; g < 3; g++) {
            float[] group = values[4 * g].clone();
            for (int p = 4 * g + 1; p < 4 * g + 4; p++) {
                add(group, values[p]);
            }
            expected = expected == null ? group : add(expected, group);
        }
        float[] leftToRight = values[0].clone();
        for (int p = 1; p < partitions; p++) {
            add(leftToRight, values[p]);
        }
        assertFalse(Arrays.equals(expected, leftToRight), "the test's numbers tell the two orders apart");

        assertArrayEquals(expected, OrderedReduce.reduce(lastFirst(values), OrderedReduceTest::add));
        assertArrayEquals(expected, OrderedReduce.reduce(jsc().parallelize(Arrays.asList(values), partitions).map(float[]::clone),
                OrderedReduceTest::add));
    }

    @Test
    void emptyPartitionsAreSkippedAndNothingAtAllIsNull() {
        List<float[]> two = Arrays.asList(new float[]{1f}, new float[]{2f});
        // 8 partitions, 6 of them empty; 40 partitions (grouped), 38 empty
        assertArrayEquals(new float[]{3f}, OrderedReduce.reduce(jsc().parallelize(two, 8), OrderedReduceTest::add));
        assertArrayEquals(new float[]{3f}, OrderedReduce.reduce(jsc().parallelize(two, 40).map(float[]::clone), OrderedReduceTest::add));
        assertNull(OrderedReduce.reduce(jsc().parallelize(Collections.<float[]>emptyList(), 5), OrderedReduceTest::add));
        assertNull(OrderedReduce.reduce(jsc().parallelize(Collections.<float[]>emptyList(), 40), OrderedReduceTest::add));
    }
}
