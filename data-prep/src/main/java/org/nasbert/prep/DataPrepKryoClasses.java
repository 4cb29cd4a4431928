package org.nasbert.prep;

import org.nasbert.prep.corpus.CorpusCounts;
import org.nasbert.spark.KryoClasses;

import java.util.Arrays;
import java.util.List;

/** data-prep's classes that Spark serializes. */
public final class DataPrepKryoClasses implements KryoClasses {
    @Override
    public List<Class<?>> classes() {
        return Arrays.asList(TokenizedItem.class, CorpusCounts.class, SequenceParts.Part.class);
    }
}
