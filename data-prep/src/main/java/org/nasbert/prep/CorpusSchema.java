package org.nasbert.prep;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Parquet schema of {@code <run>/corpus/}: one row per packed sequence, unpadded.
 * Later stages pad to {@code max_seq_len} (in the manifest) with the vocabulary's [PAD] id.
 */
public final class CorpusSchema {
    public static final String INPUT_IDS = "input_ids";
    public static final String TOKEN_TYPE_IDS = "token_type_ids";
    public static final String NUM_TOKENS = "num_tokens";
    public static final String DOC_ID = "doc_id";
    public static final String INDEX_IN_DOC = "index_in_doc";

    public static final StructType SCHEMA = new StructType(new StructField[]{
            new StructField(INPUT_IDS, DataTypes.createArrayType(DataTypes.IntegerType, false), false, Metadata.empty()),
            new StructField(TOKEN_TYPE_IDS, DataTypes.createArrayType(DataTypes.IntegerType, false), false, Metadata.empty()),
            new StructField(NUM_TOKENS, DataTypes.IntegerType, false, Metadata.empty()),
            new StructField(DOC_ID, DataTypes.LongType, false, Metadata.empty()),
            new StructField(INDEX_IN_DOC, DataTypes.IntegerType, false, Metadata.empty()),
    });

    private CorpusSchema() {
    }

    /** The schema as the manifest documents it. */
    public static Map<String, String> describe() {
        Map<String, String> doc = new LinkedHashMap<>();
        doc.put(INPUT_IDS, "array<int>: [CLS] A [SEP] (B [SEP]) as WordPiece ids, unpadded");
        doc.put(TOKEN_TYPE_IDS, "array<int>: 0 for [CLS], A and the first [SEP]; 1 for B and the last [SEP]");
        doc.put(NUM_TOKENS, "int: length of input_ids");
        doc.put(DOC_ID, "long: 64-bit hash of the source file URI and the document's byte offset");
        doc.put(INDEX_IN_DOC, "int: position of the sequence within its document");
        return doc;
    }

    /** An int-array column (input_ids, token_type_ids) of a row as int[]. */
    public static int[] ints(Row row, String column) {
        java.util.List<Integer> list = row.getList(row.fieldIndex(column));
        int[] out = new int[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = list.get(i);
        }
        return out;
    }
}
