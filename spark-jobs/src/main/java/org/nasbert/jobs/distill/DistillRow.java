package org.nasbert.jobs.distill;

import org.apache.spark.sql.Row;
import org.nasbert.jobs.teacher.TeacherSchema;
import org.nasbert.prep.CorpusSchema;

import java.io.Serializable;

/** One distillation sequence: its tokens and the teacher's last hidden state (still encoded; null when computed on the fly). */
final class DistillRow implements Serializable {
    private static final long serialVersionUID = 1L;
    final int[] ids;
    final int[] types;
    final byte[] target;

    private DistillRow(int[] ids, int[] types, byte[] target) {
        this.ids = ids;
        this.types = types;
        this.target = target;
    }

    /** A corpus row without stored states: the teacher computes them in the task. */
    static DistillRow ofTokens(Row row) {
        return new DistillRow(CorpusSchema.ints(row, CorpusSchema.INPUT_IDS), CorpusSchema.ints(row, CorpusSchema.TOKEN_TYPE_IDS), null);
    }

    static DistillRow of(Row row, int lastBoundary) {
        return new DistillRow(CorpusSchema.ints(row, CorpusSchema.INPUT_IDS), CorpusSchema.ints(row, CorpusSchema.TOKEN_TYPE_IDS),
                (byte[]) row.get(row.fieldIndex(TeacherSchema.stateColumn(lastBoundary))));
    }
}
