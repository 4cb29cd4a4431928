package org.nasbert.spark;

import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.Function2;
import scala.Tuple2;
import scala.reflect.ClassTag;
import scala.runtime.AbstractFunction1;
import scala.runtime.AbstractFunction2;
import scala.runtime.BoxedUnit;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Reduces an RDD in partition order, whatever order its tasks finish in. Spark's reduce, fold and treeAggregate combine
 * the partitions' results as the tasks end (and treeAggregate's partial sums as the shuffle delivers them);
 * floating-point addition is not associative, so with three or more partitions the same inputs could sum to different
 * last bits from run to run, or after an executor is lost and its task reruns. Here the order of every addition is
 * fixed by the partitions' indices alone.
 *
 * <p>Like treeAggregate (depth 2), many partitions are first summed in about &radic;P groups of consecutive partitions
 * on the executors, so only about &radic;P results reach the driver; each group sums its members in index order. The
 * driver combines the (group) results in index order: a result that arrives early waits for the ones before it.
 */
public final class OrderedReduce {
    private OrderedReduce() {
    }

    /**
     * {@code ((r0 + r1) + r2) + ...} over the partitions' results, each partition's elements combined in order too;
     * empty partitions are skipped; null when every partition is empty. {@code combine} may update and return its
     * first argument (an accumulator), never its second.
     */
    public static <T> T reduce(JavaRDD<T> rdd, Function2<T, T, T> combine) {
        int partitions = rdd.getNumPartitions();
        int groupSize = groupSize(partitions);
        if (groupSize == 1) {
            return inDriver(rdd, combine);
        }
        int groups = (partitions + groupSize - 1) / groupSize;
        JavaRDD<T> sums = JavaPairRDD.fromJavaRDD(rdd.mapPartitionsWithIndex(new Keyed<>(combine, groupSize), true))
                .partitionBy(new ByGroup(groups))
                .mapPartitions(new GroupSum<>(combine), true);
        return inDriver(sums, combine);
    }

    /**
     * Partitions summed together on an executor before the driver sees them: 1 (none) while the driver would receive
     * few results, else &lceil;&radic;P&rceil;, with treeAggregate's rule for when a level pays (depth 2).
     */
    static int groupSize(int partitions) {
        int scale = Math.max((int) Math.ceil(Math.sqrt(partitions)), 2);
        return partitions > scale + (partitions + scale - 1) / scale ? scale : 1;
    }

    private static <T> T inDriver(JavaRDD<T> rdd, Function2<T, T, T> combine) {
        InOrder<T> merged = new InOrder<>(rdd.getNumPartitions(), combine);
        @SuppressWarnings("unchecked")
        ClassTag<T> tag = (ClassTag<T>) scala.reflect.ClassTag$.MODULE$.apply(Object.class);
        rdd.context().runJob(rdd.rdd(), new WithinPartition<>(combine), merged, tag);
        return merged.result();
    }

    /** A partition's elements combined in order, keyed by its group, with its index for the group's order. */
    private static final class Keyed<T> implements
            Function2<Integer, Iterator<T>, Iterator<Tuple2<Integer, Tuple2<Integer, T>>>> {
        private static final long serialVersionUID = 1L;
        private final Function2<T, T, T> combine;
        private final int groupSize;

        Keyed(Function2<T, T, T> combine, int groupSize) {
            this.combine = combine;
            this.groupSize = groupSize;
        }

        @Override
        public Iterator<Tuple2<Integer, Tuple2<Integer, T>>> call(Integer partition, Iterator<T> elements) throws Exception {
            T acc = fold(combine, null, elements);
            return acc == null ? Collections.emptyIterator()
                    : Collections.singletonList(new Tuple2<>(partition / groupSize, new Tuple2<>(partition, acc))).iterator();
        }
    }

    /** Group g's members to partition g of the shuffle. */
    private static final class ByGroup extends Partitioner {
        private static final long serialVersionUID = 1L;
        private final int groups;

        ByGroup(int groups) {
            this.groups = groups;
        }

        @Override
        public int numPartitions() {
            return groups;
        }

        @Override
        public int getPartition(Object key) {
            return (Integer) key;
        }
    }

    /** A group's members (as the shuffle delivers them, in any order) summed in their partitions' order. */
    private static final class GroupSum<T> implements FlatMapFunction<Iterator<Tuple2<Integer, Tuple2<Integer, T>>>, T> {
        private static final long serialVersionUID = 1L;
        private final Function2<T, T, T> combine;

        GroupSum(Function2<T, T, T> combine) {
            this.combine = combine;
        }

        @Override
        public Iterator<T> call(Iterator<Tuple2<Integer, Tuple2<Integer, T>>> members) throws Exception {
            List<Tuple2<Integer, T>> sorted = new ArrayList<>();
            members.forEachRemaining(m -> sorted.add(m._2()));
            sorted.sort(Comparator.comparing(Tuple2::_1));
            T acc = fold(combine, null, sorted.stream().map(Tuple2::_2).iterator());
            return acc == null ? Collections.emptyIterator() : Collections.singletonList(acc).iterator();
        }
    }

    /** {@code acc} combined with each element in turn; nulls (empty partitions) are skipped. */
    private static <T> T fold(Function2<T, T, T> combine, T acc, Iterator<T> elements) throws Exception {
        while (elements.hasNext()) {
            acc = add(combine, acc, elements.next());
        }
        return acc;
    }

    /** {@code acc + next}, where null (an empty partition, or nothing yet) adds nothing. */
    private static <T> T add(Function2<T, T, T> combine, T acc, T next) throws Exception {
        return next == null ? acc : acc == null ? next : combine.call(acc, next);
    }

    /** One partition's elements combined in order; null for an empty partition. */
    private static final class WithinPartition<T> extends AbstractFunction1<scala.collection.Iterator<T>, T> implements Serializable {
        private static final long serialVersionUID = 1L;
        private final Function2<T, T, T> combine;

        WithinPartition(Function2<T, T, T> combine) {
            this.combine = combine;
        }

        @Override
        public T apply(scala.collection.Iterator<T> elements) {
            return unchecked(() -> fold(combine, null, scala.collection.JavaConverters.asJavaIteratorConverter(elements).asJava()));
        }
    }

    /** The driver's side: Spark calls it once per finished task, one call at a time (its JobWaiter synchronises). */
    private static final class InOrder<T> extends AbstractFunction2<Object, T, BoxedUnit> {
        private final Object[] waiting;
        private final boolean[] arrived;
        private final Function2<T, T, T> combine;
        private int next;
        private T acc;

        InOrder(int partitions, Function2<T, T, T> combine) {
            this.waiting = new Object[partitions];
            this.arrived = new boolean[partitions];
            this.combine = combine;
        }

        @Override
        @SuppressWarnings("unchecked")
        public BoxedUnit apply(Object index, T result) {
            int i = (Integer) index;
            waiting[i] = result;
            arrived[i] = true;
            while (next < waiting.length && arrived[next]) {
                T r = (T) waiting[next];
                waiting[next++] = null; // combined: the driver no longer holds it
                acc = unchecked(() -> add(combine, acc, r));
            }
            return BoxedUnit.UNIT;
        }

        T result() {
            if (next != waiting.length) {
                throw new IllegalStateException("partition " + next + "'s result never arrived");
            }
            return acc;
        }
    }

    /** For Scala's functions, which cannot throw checked exceptions. */
    private static <T> T unchecked(Callable<T> work) {
        try {
            return work.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
