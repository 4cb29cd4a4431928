package org.nasbert.jobs.trainblocks;

import org.apache.spark.broadcast.Broadcast;
import org.nasbert.space.SearchSpace;
import org.nasbert.supernet.StateBatch;
import org.nasbert.supernet.SupernetBlock;
import org.nasbert.teacher.BertModel;
import org.nasbert.teacher.BertWeights;
import org.nasbert.teacher.TeacherStates;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

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
    /** On the fly: the teacher's weights (broadcast once) and its boundary layers; null when states are stored. */
    final Broadcast<BertWeights> teacher;
    final int[] boundaries;
    /** Teachers hold activations, so each task thread has its own (sharing the broadcast weights). */
    private static final Map<String, TeacherStates> TEACHERS = new ConcurrentHashMap<>();

    SupernetPlan(SearchSpace space, int teacherHidden, int blocks, long seed, boolean half) {
        this(space, teacherHidden, blocks, seed, half, null, null);
    }

    SupernetPlan(SearchSpace space, int teacherHidden, int blocks, long seed, boolean half, Broadcast<BertWeights> teacher,
                 int[] boundaries) {
        this.space = space;
        this.teacherHidden = teacherHidden;
        this.blocks = blocks;
        this.seed = seed;
        this.half = half;
        this.teacher = teacher;
        this.boundaries = boundaries;
    }

    /** Drops this JVM's teachers of a finished run. */
    static void forgetTeachers(long broadcastId) {
        TEACHERS.keySet().removeIf(k -> k.startsWith(broadcastId + "/"));
    }

    SupernetBlock[] build() {
        SupernetBlock[] out = new SupernetBlock[blocks];
        for (int n = 0; n < blocks; n++) {
            out[n] = build(n);
        }
        return out;
    }

    SupernetBlock build(int block) {
        return new SupernetBlock(space, teacherHidden, seed * 1_000_003L + block);
    }

    /** Some rows' boundary states, decoded or computed by the teacher, as one padded batch. */
    StateBatch batch(List<TrainingRow> rows) {
        int[] lengths = new int[rows.size()];
        if (teacher != null) {
            List<int[]> ids = new ArrayList<>();
            List<int[]> types = new ArrayList<>();
            for (int b = 0; b < rows.size(); b++) {
                lengths[b] = rows.get(b).length;
                ids.add(rows.get(b).ids);
                types.add(rows.get(b).types);
            }
            TeacherStates model = TEACHERS.computeIfAbsent(teacher.id() + "/" + Thread.currentThread().getId(),
                    k -> new TeacherStates(new BertModel(teacher.value()), boundaries));
            return new StateBatch(lengths, model.compute(ids, types), teacherHidden);
        }
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
