package org.nasbert.spark;

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
                int[].class, long[].class, String[].class);
    }
}
