package org.nasbert.jobs.teacher;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.nasbert.prep.CorpusSchema;

import java.util.LinkedHashMap;
import java.util.Map;

/** The Parquet schema of {@code <run>/teacher/data}: the corpus row plus one state column per block boundary. */
public final class TeacherSchema {
    public static final String HELD_OUT = "held_out";

    private TeacherSchema() {
    }

    public static String stateColumn(int boundary) {
        return "y_" + boundary;
    }

    public static StructType schema(int boundaries) {
        StructType s = new StructType()
                .add(CorpusSchema.DOC_ID, DataTypes.LongType, false)
                .add(CorpusSchema.INDEX_IN_DOC, DataTypes.IntegerType, false)
                .add(CorpusSchema.NUM_TOKENS, DataTypes.IntegerType, false)
                .add(CorpusSchema.INPUT_IDS, DataTypes.createArrayType(DataTypes.IntegerType, false), false)
                .add(CorpusSchema.TOKEN_TYPE_IDS, DataTypes.createArrayType(DataTypes.IntegerType, false), false)
                .add(HELD_OUT, DataTypes.BooleanType, false);
        for (int n = 0; n < boundaries; n++) {
            s = s.add(new StructField(stateColumn(n), DataTypes.BinaryType, false, Metadata.empty()));
        }
        return s;
    }

    public static Map<String, String> describe(String precision, int hidden) {
        Map<String, String> doc = new LinkedHashMap<>();
        doc.put(CorpusSchema.DOC_ID + ", " + CorpusSchema.INDEX_IN_DOC + ", " + CorpusSchema.NUM_TOKENS + ", "
                + CorpusSchema.INPUT_IDS + ", " + CorpusSchema.TOKEN_TYPE_IDS, "as in <run>/corpus");
        doc.put(HELD_OUT, "boolean: in the held-out part (pruning, search), chosen by a hash of doc_id and index_in_doc");
        doc.put("y_<n>", "binary: teacher hidden state at block boundary n, num_tokens x " + hidden
                + " row-major, little-endian " + precision);
        return doc;
    }
}
