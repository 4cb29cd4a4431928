package org.nasbert.spark;

import org.nasbert.teacher.BertConfig;
import org.nasbert.teacher.BertWeights;
import org.nasbert.teacher.checkpoint.WeightTensor;
import org.nasbert.text.NormalizerConfig;
import org.nasbert.text.PackedSequence;
import org.nasbert.text.WordPieceVocabulary;

import java.util.Arrays;
import java.util.List;

/** Core's classes that Spark serializes. */
public final class CoreKryoClasses implements KryoClasses {
    @Override
    public List<Class<?>> classes() {
        return Arrays.asList(PackedSequence.class, WordPieceVocabulary.class, NormalizerConfig.class,
                BertWeights.class, BertConfig.class, WeightTensor.class, int[].class, long[].class, float[].class,
                String[].class, java.util.LinkedHashMap.class);
    }
}
