package org.nasbert.jobs.supernet;

import com.intel.analytics.bigdl.tensor.Tensor;
import org.nasbert.engine.BigDl;
import org.nasbert.space.SearchSpace;
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

    /** The states at one boundary for some rows, padded to the longest: [rows, seq, hidden]; and the mask. */
    Tensor<Float> states(List<TrainingRow> rows, int boundary, int seq) {
        float[] data = new float[rows.size() * seq * teacherHidden];
        for (int b = 0; b < rows.size(); b++) {
            float[] s = TeacherStates.decode(rows.get(b).states[boundary], half);
            System.arraycopy(s, 0, data, b * seq * teacherHidden, s.length);
        }
        return BigDl.tensor(data, rows.size(), seq, teacherHidden);
    }

    static Tensor<Float> mask(List<TrainingRow> rows, int seq) {
        float[] mask = new float[rows.size() * seq];
        for (int b = 0; b < rows.size(); b++) {
            for (int t = 0; t < rows.get(b).length; t++) {
                mask[b * seq + t] = 1;
            }
        }
        return BigDl.tensor(mask, rows.size(), seq);
    }

    static int longest(List<TrainingRow> rows) {
        int seq = 1;
        for (TrainingRow r : rows) {
            seq = Math.max(seq, r.length);
        }
        return seq;
    }
}
