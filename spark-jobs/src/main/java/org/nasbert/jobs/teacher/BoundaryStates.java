package org.nasbert.jobs.teacher;

import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.TaskContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.nasbert.Progress;
import org.nasbert.engine.BigDl;
import org.nasbert.prep.CorpusSchema;
import org.nasbert.teacher.BertModel;
import org.nasbert.teacher.BertWeights;
import org.nasbert.teacher.TeacherStates;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Per partition: one teacher built from the broadcast weights (shared, not copied), the sampled corpus rows
 * run through it a batch at a time, one output row per sequence with its boundary states encoded.
 */
public final class BoundaryStates implements FlatMapFunction<Iterator<Row>, Row> {
    private static final long serialVersionUID = 1L;
    private final Broadcast<BertWeights> weights;
    private final int[] boundaries;
    private final int batchSize;
    private final boolean half;
    private final double fraction;
    private final double heldOut;
    /** About how many sequences of the set a partition holds: the progress lines' total. */
    private final long expectedPerPartition;

    BoundaryStates(Broadcast<BertWeights> weights, int[] boundaries, int batchSize, boolean half, double fraction, double heldOut,
                   long expectedPerPartition) {
        this.expectedPerPartition = expectedPerPartition;
        this.weights = weights;
        this.boundaries = boundaries;
        this.batchSize = batchSize;
        this.half = half;
        this.fraction = fraction;
        this.heldOut = heldOut;
    }

    /** A uniform number in [0, 1) from a sequence's identity and a salt: the same on every run and partitioning. */
    public static double uniform(long docId, int index, long salt) {
        long h = mix(docId * 0x9E3779B97F4A7C15L + index) ^ mix(salt * 0xC2B2AE3D27D4EB4FL);
        return (mix(h) >>> 11) * 0x1.0p-53;
    }

    /** Whether a corpus row is in the distillation set that {@code teacher.sequences} samples. */
    public static boolean inDistillationSet(Row corpusRow, double fraction) {
        return uniform(corpusRow.getLong(corpusRow.fieldIndex(CorpusSchema.DOC_ID)),
                corpusRow.getInt(corpusRow.fieldIndex(CorpusSchema.INDEX_IN_DOC)), 1L) < fraction;
    }

    /** Whether a corpus row is held out (pruning, search), {@code teacher.held-out} of the set. */
    public static boolean isHeldOut(Row corpusRow, double heldOut) {
        return uniform(corpusRow.getLong(corpusRow.fieldIndex(CorpusSchema.DOC_ID)),
                corpusRow.getInt(corpusRow.fieldIndex(CorpusSchema.INDEX_IN_DOC)), 2L) < heldOut;
    }

    /** MurmurHash3's 64-bit finaliser: every input bit affects every output bit. */
    private static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        h *= 0xC4CEB9FE1A85EC53L;
        h ^= h >>> 33;
        return h;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
        BigDl.singleThreadedMath();
        TeacherStates teacher = new TeacherStates(new BertModel(weights.value()), boundaries);
        Progress progress = Progress.of("teacher: partition " + TaskContext.getPartitionId(), expectedPerPartition, "sequences (about)");
        return new Iterator<Row>() {
            private Iterator<Row> batch = Collections.emptyIterator();

            @Override
            public boolean hasNext() {
                while (!batch.hasNext() && rows.hasNext()) {
                    List<Row> next = nextBatch(rows, teacher);
                    progress.advance(next.size());
                    batch = next.iterator();
                }
                return batch.hasNext();
            }

            @Override
            public Row next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return batch.next();
            }
        };
    }

    private List<Row> nextBatch(Iterator<Row> rows, TeacherStates teacher) {
        List<Row> picked = new ArrayList<>(batchSize);
        while (picked.size() < batchSize && rows.hasNext()) {
            Row row = rows.next();
            if (inDistillationSet(row, fraction)) {
                picked.add(row);
            }
        }
        if (picked.isEmpty()) {
            return picked;
        }
        List<int[]> ids = new ArrayList<>();
        List<int[]> types = new ArrayList<>();
        for (Row row : picked) {
            ids.add(CorpusSchema.ints(row, CorpusSchema.INPUT_IDS));
            types.add(CorpusSchema.ints(row, CorpusSchema.TOKEN_TYPE_IDS));
        }
        float[][][] states = teacher.compute(ids, types);
        List<Row> out = new ArrayList<>(picked.size());
        for (int b = 0; b < picked.size(); b++) {
            Row row = picked.get(b);
            long doc = row.getLong(row.fieldIndex(CorpusSchema.DOC_ID));
            int index = row.getInt(row.fieldIndex(CorpusSchema.INDEX_IN_DOC));
            Object[] values = new Object[6 + boundaries.length];
            values[0] = doc;
            values[1] = index;
            values[2] = ids.get(b).length;
            values[3] = ids.get(b);
            values[4] = types.get(b);
            values[5] = isHeldOut(row, heldOut);
            for (int n = 0; n < boundaries.length; n++) {
                values[6 + n] = TeacherStates.encode(states[n][b], half);
            }
            out.add(RowFactory.create(values));
        }
        return out;
    }
}
