package org.nasbert.prep;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;
import org.nasbert.text.PackedSequence;

import java.io.IOException;
import java.util.Collections;

/**
 * Packed sequences straight to Parquet with parquet-mr, without Spark rows: the id arrays are plain repeated int32
 * columns (the Parquet format's "required list of required elements", which Spark, pyarrow and Hive read as
 * array&lt;int&gt;), so each id costs one value write instead of a boxed element in a three-level list group.
 * Spark reads these files as {@link CorpusSchema#SCHEMA}.
 */
final class SequenceWriteSupport extends WriteSupport<PackedSequence> {
    static final MessageType SCHEMA = Types.buildMessage()
            .repeated(PrimitiveTypeName.INT32).named(CorpusSchema.INPUT_IDS)
            .repeated(PrimitiveTypeName.INT32).named(CorpusSchema.TOKEN_TYPE_IDS)
            .required(PrimitiveTypeName.INT32).named(CorpusSchema.NUM_TOKENS)
            .required(PrimitiveTypeName.INT64).named(CorpusSchema.DOC_ID)
            .required(PrimitiveTypeName.INT32).named(CorpusSchema.INDEX_IN_DOC)
            .named("spark_schema");

    private RecordConsumer out;

    /** A writer of one new file; the row group, page and dictionary sizes are parquet-mr's defaults, as Spark's. */
    static ParquetWriter<PackedSequence> open(Path file, Configuration conf, CompressionCodecName codec) throws IOException {
        return new Builder(file).withConf(conf).withCompressionCodec(codec).build();
    }

    @Override
    public WriteContext init(Configuration configuration) {
        return new WriteContext(SCHEMA, Collections.emptyMap());
    }

    @Override
    public void prepareForWrite(RecordConsumer recordConsumer) {
        out = recordConsumer;
    }

    @Override
    public void write(PackedSequence sequence) {
        int[] ids = sequence.inputIds; // never empty: [CLS] A [SEP] at least, so both repeated fields have values
        out.startMessage();
        out.startField(CorpusSchema.INPUT_IDS, 0);
        for (int id : ids) {
            out.addInteger(id);
        }
        out.endField(CorpusSchema.INPUT_IDS, 0);
        out.startField(CorpusSchema.TOKEN_TYPE_IDS, 1);
        for (int i = 0; i < ids.length; i++) {
            out.addInteger(i < sequence.segmentBStart ? 0 : 1);
        }
        out.endField(CorpusSchema.TOKEN_TYPE_IDS, 1);
        required(CorpusSchema.NUM_TOKENS, 2, ids.length);
        out.startField(CorpusSchema.DOC_ID, 3);
        out.addLong(sequence.docId);
        out.endField(CorpusSchema.DOC_ID, 3);
        required(CorpusSchema.INDEX_IN_DOC, 4, sequence.indexInDoc);
        out.endMessage();
    }

    private void required(String field, int index, int value) {
        out.startField(field, index);
        out.addInteger(value);
        out.endField(field, index);
    }

    private static final class Builder extends ParquetWriter.Builder<PackedSequence, Builder> {
        Builder(Path file) {
            super(file);
        }

        @Override
        protected Builder self() {
            return this;
        }

        @Override
        protected WriteSupport<PackedSequence> getWriteSupport(Configuration conf) {
            return new SequenceWriteSupport();
        }
    }
}
