package org.nasbert.prep;

import org.apache.spark.SparkConf;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.SerializerInstance;
import org.junit.jupiter.api.Test;
import org.nasbert.prep.corpus.CorpusCount;
import org.nasbert.prep.corpus.CorpusCounts;
import org.nasbert.spark.NasbertKryoRegistrator;
import org.nasbert.testing.TestData;
import org.nasbert.text.PackedSequence;
import org.nasbert.text.WordPieceTokenizer;
import org.nasbert.text.WordPieceVocabulary;
import scala.reflect.ClassTag$;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** What crosses Spark's shuffles and broadcasts is registered with Kryo and round-trips. */
class KryoRegistrationTest {
    private final SerializerInstance kryo = new KryoSerializer(new SparkConf()
            .set("spark.kryo.registrator", NasbertKryoRegistrator.class.getName())
            .set("spark.kryo.registrationRequired", "true")).newInstance();

    @SuppressWarnings("unchecked")
    private <T> T roundTrip(T value) {
        ByteBuffer bytes = kryo.serialize(value, ClassTag$.MODULE$.AnyRef());
        return (T) kryo.deserialize(bytes, ClassTag$.MODULE$.AnyRef());
    }

    @Test
    void shuffledItemsRoundTrip() {
        PackedSequence sequence = new PackedSequence(42L, 3, new int[]{101, 7, 8, 102, 9, 102}, 4);
        TokenizedItem item = roundTrip(TokenizedItem.of(sequence));
        assertArrayEquals(sequence.inputIds, item.sequence.inputIds);
        assertEquals(4, item.sequence.segmentBStart);
        CorpusCounts counts = new CorpusCounts();
        counts.add(CorpusCount.TOKENS, 12345);
        assertEquals(12345, roundTrip(TokenizedItem.of(counts)).counts.get(CorpusCount.TOKENS));
        SequenceParts.Part part = roundTrip(new SequenceParts.Part(7, "file:/run/corpus/data/_temporary/part-00007.attempt-3", counts));
        assertEquals(7, part.partition);
        assertEquals("file:/run/corpus/data/_temporary/part-00007.attempt-3", part.file);
        assertEquals(12345, part.counts.get(CorpusCount.TOKENS));
    }

    @Test
    void theBroadcastVocabularyTokenizesIdenticallyAfterTheTrip() {
        WordPieceVocabulary vocabulary = TestData.minilmVocabulary();
        WordPieceVocabulary copy = roundTrip(vocabulary);
        assertEquals(vocabulary.sha256(), copy.sha256());
        String text = "The capital of France is [MASK]. Naïve façades!";
        assertArrayEquals(new WordPieceTokenizer(vocabulary).encode(text), new WordPieceTokenizer(copy).encode(text));
    }
}
