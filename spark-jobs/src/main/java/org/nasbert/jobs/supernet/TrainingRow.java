package org.nasbert.jobs.supernet;

import org.apache.spark.sql.Row;
import org.nasbert.jobs.teacher.TeacherSchema;
import org.nasbert.prep.CorpusSchema;

import java.io.Serializable;

/** One sequence of the distillation set as block training keeps it: the teacher's boundary states, still encoded. */
final class TrainingRow implements Serializable {
    private static final long serialVersionUID = 1L;
    final int length;
    final byte[][] states;

    TrainingRow(int length, byte[][] states) {
        this.length = length;
        this.states = states;
    }

    static TrainingRow of(Row row, int boundaries) {
        byte[][] states = new byte[boundaries][];
        for (int n = 0; n < boundaries; n++) {
            states[n] = (byte[]) row.get(row.fieldIndex(TeacherSchema.stateColumn(n)));
        }
        return new TrainingRow(row.getInt(row.fieldIndex(CorpusSchema.NUM_TOKENS)), states);
    }
}
