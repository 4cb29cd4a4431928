package org.nasbert.jobs.supernet;

import org.nasbert.space.SearchSpace;
import org.nasbert.supernet.StateBatch;
import org.nasbert.supernet.SupernetBlock;
import org.nasbert.teacher.TeacherStates;

import java.io.Serializable;
import java.util.List;

/**
 * What every replica of the supernet is built from: the space, the teacher's width, the block count and the
 * seed. Replicas built from the same plan start with identical weights; training ships each step's active
 * weights to them, so only the plan (not the supernet) is broadcast.
 */
final class SupernetPlan implements Serializable {
    private static final long serialVersionUID = 1L;
    final SearchSpace space;
    final int teacherHidden;
    final int blocks;
    final long seed;
    final boolean half;

    SupernetPlan(SearchSpace space, int teacherHidden, int blocks, long seed, boolean half) {
        this.space = space;
        this.teacherHidden = teacherHidden;
        this.blocks = blocks;
        this.seed = seed;
        this.half = half;
    }

    SupernetBlock[] build() {
        SupernetBlock[] out = new SupernetBlock[blocks];
        for (int n = 0; n < blocks; n++) {
            out[n] = new SupernetBlock(space, teacherHidden, seed * 1_000_003L + n);
        }
        return out;
    }

    /** Some rows' boundary states, decoded, as one padded batch. */
    StateBatch batch(List<TrainingRow> rows) {
        int[] lengths = new int[rows.size()];
        float[][][] states = new float[blocks + 1][rows.size()][];
        for (int b = 0; b < rows.size(); b++) {
            lengths[b] = rows.get(b).length;
            for (int n = 0; n <= blocks; n++) {
                states[n][b] = TeacherStates.decode(rows.get(b).states[n], half);
            }
        }
        return new StateBatch(lengths, states, teacherHidden);
    }
}
