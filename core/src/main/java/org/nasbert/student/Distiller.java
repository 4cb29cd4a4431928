package org.nasbert.student;

import com.intel.analytics.bigdl.tensor.Tensor;
import org.nasbert.engine.BigDl;
import org.nasbert.nn.Parameterized;
import org.nasbert.nn.Tensors;
import org.nasbert.supernet.GroupOptimizer;
import org.nasbert.teacher.BertModel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Task-agnostic distillation of one student (NAS-BERT §4.1.2, the pre-training KD; the teacher here has no
 * masked-LM head, so the student's last hidden state learns the teacher's, TinyBERT-style): Adam with 10% warm-up
 * and linear decay over minibatches drawn from the sequences, the held-out loss before and after.
 */
public final class Distiller {
    private Distiller() {
    }

    /** Sequences with the teacher's last hidden state for each (decoded on demand: stored states are large). */
    public interface Sequences {
        int size();

        int[] ids(int i);

        int[] types(int i);

        /** length x teacher width floats. */
        float[] target(int i);

        /** The targets of several sequences at once (a teacher computed on the fly runs them as one batch). */
        default List<float[]> targets(int[] rows) {
            List<float[]> out = new ArrayList<>(rows.length);
            for (int r : rows) {
                out.add(target(r));
            }
            return out;
        }
    }

    /** Sequences whose targets the teacher computes when asked, a batch at a time: its last hidden state. */
    public static Sequences onTheFly(List<int[]> ids, List<int[]> types, BertModel teacher) {
        List<int[]> a = new ArrayList<>(ids);
        List<int[]> b = new ArrayList<>(types);
        int last = teacher.config().numLayers;
        int width = teacher.config().hiddenSize;
        return new Sequences() {
            public int size() {
                return a.size();
            }

            public int[] ids(int i) {
                return a.get(i);
            }

            public int[] types(int i) {
                return b.get(i);
            }

            public float[] target(int i) {
                return targets(new int[]{i}).get(0);
            }

            @Override
            public List<float[]> targets(int[] rows) {
                int seq = 1;
                for (int r : rows) {
                    seq = Math.max(seq, a.get(r).length);
                }
                int[][] x = new int[rows.length][seq];
                int[][] t = new int[rows.length][seq];
                int[] lengths = new int[rows.length];
                for (int i = 0; i < rows.length; i++) {
                    lengths[i] = a.get(rows[i]).length;
                    System.arraycopy(a.get(rows[i]), 0, x[i], 0, lengths[i]);
                    System.arraycopy(b.get(rows[i]), 0, t[i], 0, lengths[i]);
                }
                Tensor<Float> states = Tensors.dense(teacher.statesAfter(x, t, lengths, new int[]{last}).get(0));
                float[] data = Tensors.data(states);
                List<float[]> out = new ArrayList<>(rows.length);
                for (int i = 0; i < rows.length; i++) {
                    float[] y = new float[lengths[i] * width];
                    System.arraycopy(data, Tensors.offset(states) + i * seq * width, y, 0, y.length);
                    out.add(y);
                }
                return out;
            }
        };
    }

    /** Held-out loss at the start and at the end. */
    public static double[] train(StudentModel student, Sequences train, Sequences heldOut, int width, int steps, int batchSize,
                                 double learningRate, long seed) {
        return train(student, train, heldOut, width, steps, batchSize, learningRate, seed, null);
    }

    /**
     * As {@link #train(StudentModel, Sequences, Sequences, int, int, int, double, long)}, resuming from the newest of
     * {@code checkpoints} (null: none) and saving one every {@code checkpoints.every()} steps. Each step draws its
     * minibatch from a generator seeded by (seed, step), so a resumed run trains on exactly what an uninterrupted one would.
     */
    public static double[] train(StudentModel student, Sequences train, Sequences heldOut, int width, int steps, int batchSize,
                                 double learningRate, long seed, DistillCheckpoints checkpoints) {
        try {
            GroupOptimizer adam = new GroupOptimizer(0.9, 0.999, 1e-6);
            DistillCheckpoints.Progress resumed = checkpoints == null ? null : checkpoints.restore(student, adam, learningRate);
            double before = resumed != null ? resumed.heldOutLossAtStart : loss(student, heldOut, width, batchSize);
            List<Parameterized<?>> modules = student.modules();
            int warmup = Math.max(1, steps / 10);
            for (int step = resumed == null ? 0 : resumed.step; step < steps; step++) {
                Random random = new Random(seed ^ (0x9E3779B97F4A7C15L * (step + 1)));
                int[] rows = new int[Math.min(batchSize, train.size())];
                for (int i = 0; i < rows.length; i++) {
                    rows[i] = random.nextInt(train.size());
                }
                Batch b = new Batch(train, rows, width);
                student.zeroGradients();
                student.distill(b.ids, b.types, b.lengths, b.target, 1.0);
                double lr = GroupOptimizer.learningRate(learningRate, step, warmup, steps);
                for (int m = 0; m < modules.size(); m++) {
                    adam.step("m" + m, Arrays.asList(modules.get(m).parameters()._1()), Arrays.asList(modules.get(m).parameters()._2()), lr);
                }
                if (checkpoints != null && checkpoints.every() > 0 && (step + 1) % checkpoints.every() == 0 && step + 1 < steps) {
                    checkpoints.save(step + 1, before, student, adam);
                }
            }
            return new double[]{before, loss(student, heldOut, width, batchSize)};
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Mean loss per element over the sequences' real tokens. */
    public static double loss(StudentModel student, Sequences data, int width, int batchSize) {
        double sum = 0;
        long tokens = 0;
        for (int from = 0; from < data.size(); from += batchSize) {
            int[] rows = new int[Math.min(batchSize, data.size() - from)];
            for (int i = 0; i < rows.length; i++) {
                rows[i] = from + i;
            }
            Batch b = new Batch(data, rows, width);
            long n = 0;
            for (int l : b.lengths) {
                n += l;
            }
            sum += student.distill(b.ids, b.types, b.lengths, b.target, 0) * n;
            tokens += n;
        }
        return sum / Math.max(1, tokens);
    }

    /** Rows padded to the longest, the targets' padding zero (masked out of the loss). */
    static final class Batch {
        final int[][] ids;
        final int[][] types;
        final int[] lengths;
        final Tensor<Float> target;

        Batch(Sequences data, int[] rows, int width) {
            int seq = 1;
            for (int r : rows) {
                seq = Math.max(seq, data.ids(r).length);
            }
            ids = new int[rows.length][seq];
            types = new int[rows.length][seq];
            lengths = new int[rows.length];
            float[] t = new float[rows.length * seq * width];
            List<float[]> targets = data.targets(rows);
            for (int b = 0; b < rows.length; b++) {
                int[] x = data.ids(rows[b]);
                lengths[b] = x.length;
                System.arraycopy(x, 0, ids[b], 0, x.length);
                System.arraycopy(data.types(rows[b]), 0, types[b], 0, x.length);
                float[] y = targets.get(b);
                System.arraycopy(y, 0, t, b * seq * width, y.length);
            }
            target = BigDl.tensor(t, rows.length, seq, width);
        }
    }

    /** Sequences held in lists. */
    public static Sequences of(List<int[]> ids, List<int[]> types, List<float[]> targets) {
        List<int[]> a = new ArrayList<>(ids);
        List<int[]> b = new ArrayList<>(types);
        List<float[]> c = new ArrayList<>(targets);
        return new Sequences() {
            public int size() {
                return a.size();
            }

            public int[] ids(int i) {
                return a.get(i);
            }

            public int[] types(int i) {
                return b.get(i);
            }

            public float[] target(int i) {
                return c.get(i);
            }
        };
    }
}
