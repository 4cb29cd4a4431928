package org.nasbert.jobs.trainblocks;

import org.apache.spark.sql.Row;
import org.nasbert.jobs.teacher.TeacherSchema;
import org.nasbert.prep.CorpusSchema;

import java.io.Serializable;

/**
 * One sequence of the distillation set as block training keeps it: the teacher's boundary states, still encoded,
 * or (teacher on the fly) its token ids, from which each step computes the states.
 */
final class TrainingRow implements Serializable {
    private static final long serialVersionUID = 1L;
    final int length;
    final byte[][] states;
    final int[] ids;
    final int[] types;
    /** Its place in the input: the input partition in the high 32 bits, the position in it in the low (-1: not set). */
    final long order;

    TrainingRow(int length, byte[][] states) {
        this(length, states, null, null, -1);
    }

    private TrainingRow(int length, byte[][] states, int[] ids, int[] types, long order) {
        this.length = length;
        this.states = states;
        this.ids = ids;
        this.types = types;
        this.order = order;
    }

    /** This row at position {@code position} of input partition {@code partition}. */
    TrainingRow at(int partition, long position) {
        return new TrainingRow(length, states, ids, types, ((long) partition << 32) | position);
    }

    static TrainingRow ofTokens(Row corpusRow) {
        int[] ids = CorpusSchema.ints(corpusRow, CorpusSchema.INPUT_IDS);
        int[] types = CorpusSchema.ints(corpusRow, CorpusSchema.TOKEN_TYPE_IDS);
        return new TrainingRow(ids.length, null, ids, types, -1);
    }

    static TrainingRow of(Row row, int boundaries) {
        byte[][] states = new byte[boundaries][];
        for (int n = 0; n < boundaries; n++) {
            states[n] = (byte[]) row.get(row.fieldIndex(TeacherSchema.stateColumn(n)));
        }
        return new TrainingRow(row.getInt(row.fieldIndex(CorpusSchema.NUM_TOKENS)), states);
    }
}
