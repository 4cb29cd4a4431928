package org.nasbert.prep;

import org.apache.spark.util.AccumulatorV2;
import org.nasbert.prep.corpus.CorpusCounts;

/**
 * Adds up {@link CorpusCounts}. Only updated in the tasks that write the output (a result stage),
 * where Spark applies each task's update once, retries or not.
 */
final class CountsAccumulator extends AccumulatorV2<CorpusCounts, CorpusCounts> {
    private static final long serialVersionUID = 1L;
    private CorpusCounts counts = new CorpusCounts();

    @Override
    public boolean isZero() {
        return counts.isZero();
    }

    @Override
    public AccumulatorV2<CorpusCounts, CorpusCounts> copy() {
        CountsAccumulator copy = new CountsAccumulator();
        copy.counts = counts.copy();
        return copy;
    }

    @Override
    public void reset() {
        counts = new CorpusCounts();
    }

    @Override
    public void add(CorpusCounts value) {
        counts.merge(value);
    }

    @Override
    public void merge(AccumulatorV2<CorpusCounts, CorpusCounts> other) {
        counts.merge(other.value());
    }

    @Override
    public CorpusCounts value() {
        return counts;
    }
}
