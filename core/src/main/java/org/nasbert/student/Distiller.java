package org.nasbert.student;

import org.nasbert.Progress;
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
 * Task-agnostic distillation of one student (NAS-BERT §4.1.2, the pre-training KD): Adam with 10% warm-up and linear
 * decay over minibatches drawn from the sequences, the held-out loss before and after. What is learnt is an
 * {@link Objective}: the teacher's masked-LM outputs ({@link MaskedLmDistillation}) when it has the head, else its
 * last hidden state (TinyBERT-style mean squared error, {@link #hiddenStates}).
 */
public final class Distiller {
    private Distiller() {
    }

    /** What a distillation step minimises. */
    public interface Objective {
        /** Training sequences the steps draw from. */
        int trainingSize();

        /**
         * The loss on these training rows, its gradients accumulated into the student (zeroed before); {@code random}
         * is the step's own generator (seeded by the step), for anything else the step draws.
         */
        double step(StudentModel student, int[] rows, Random random);

        /** The loss on the held-out sequences: the same whenever it is asked of the same weights. */
        double heldOutLoss(StudentModel student);
    }

    /** The student's output (projected to the teacher's width) learns the teacher's last hidden state: mean squared error. */
    public static Objective hiddenStates(Sequences train, Sequences heldOut, int width, int batchSize) {
        return new Objective() {
            public int trainingSize() {
                return train.size();
            }

            public double step(StudentModel student, int[] rows, Random random) {
                Batch b = new Batch(train, rows, width);
                return student.distill(b.ids, b.types, b.lengths, b.target, 1.0);
            }

            public double heldOutLoss(StudentModel student) {
                return loss(student, heldOut, width, batchSize);
            }
        };
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

    /** Hidden-state distillation ({@link #hiddenStates}) by {@link #train(StudentModel, Objective, int, int, double, long, DistillCheckpoints)}. */
    public static double[] train(StudentModel student, Sequences train, Sequences heldOut, int width, int steps, int batchSize,
                                 double learningRate, long seed, DistillCheckpoints checkpoints) {
        return train(student, hiddenStates(train, heldOut, width, batchSize), steps, batchSize, learningRate, seed, checkpoints);
    }

    /**
     * Trains the student on {@code objective} for {@code steps} minibatches of {@code batchSize}; returns the held-out loss
     * at the start and at the end. Resumes from the newest of {@code checkpoints} (null: none) and saves one every
     * {@code checkpoints.every()} steps. Each step draws its minibatch (and its masking) from a generator seeded by
     * (seed, step), so a resumed run trains on exactly what an uninterrupted one would.
     */
    public static double[] train(StudentModel student, Objective objective, int steps, int batchSize, double learningRate, long seed,
                                 DistillCheckpoints checkpoints) {
        return train(student, objective, steps, batchSize, learningRate, seed, checkpoints, "distill");
    }

    /** As above, logging progress as {@code label} (see {@link Progress}). */
    public static double[] train(StudentModel student, Objective objective, int steps, int batchSize, double learningRate, long seed,
                                 DistillCheckpoints checkpoints, String label) {
        try {
            GroupOptimizer adam = new GroupOptimizer(0.9, 0.999, 1e-6);
            DistillCheckpoints.Progress resumed = checkpoints == null ? null : checkpoints.restore(student, adam);
            double before = resumed != null ? resumed.heldOutLossAtStart : objective.heldOutLoss(student);
            List<Parameterized<?>> modules = student.modules();
            int warmup = Math.max(1, steps / 10);
            Progress progress = Progress.of(label, steps, "steps").from(resumed == null ? 0 : resumed.step);
            for (int step = resumed == null ? 0 : resumed.step; step < steps; step++) {
                Random random = new Random(seed ^ (0x9E3779B97F4A7C15L * (step + 1)));
                int size = objective.trainingSize();
                int[] rows = new int[Math.min(batchSize, size)];
                for (int i = 0; i < rows.length; i++) {
                    rows[i] = random.nextInt(size);
                }
                student.zeroGradients();
                objective.step(student, rows, random);
                double lr = GroupOptimizer.learningRate(learningRate, step, warmup, steps);
                for (int m = 0; m < modules.size(); m++) {
                    adam.step("m" + m, Arrays.asList(modules.get(m).parameters()._1()), Arrays.asList(modules.get(m).parameters()._2()), lr);
                }
                if (checkpoints != null && checkpoints.every() > 0 && (step + 1) % checkpoints.every() == 0 && step + 1 < steps) {
                    checkpoints.save(step + 1, before, student, adam);
                }
                progress.advance(1);
            }
            return new double[]{before, objective.heldOutLoss(student)};
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

    /** Rows padded to the longest: ids and types (0 beyond each row's length) and the lengths. */
    static class Padded {
        final int[][] ids;
        final int[][] types;
        final int[] lengths;

        Padded(Sequences data, int[] rows) {
            int seq = 1;
            for (int r : rows) {
                seq = Math.max(seq, data.ids(r).length);
            }
            ids = new int[rows.length][seq];
            types = new int[rows.length][seq];
            lengths = new int[rows.length];
            for (int b = 0; b < rows.length; b++) {
                int[] x = data.ids(rows[b]);
                lengths[b] = x.length;
                System.arraycopy(x, 0, ids[b], 0, x.length);
                System.arraycopy(data.types(rows[b]), 0, types[b], 0, x.length);
            }
        }
    }

    /** Padded rows with their targets, the targets' padding zero (masked out of the loss). */
    static final class Batch extends Padded {
        final Tensor<Float> target;

        Batch(Sequences data, int[] rows, int width) {
            super(data, rows);
            int seq = ids[0].length;
            float[] t = new float[rows.length * seq * width];
            List<float[]> targets = data.targets(rows);
            for (int b = 0; b < rows.length; b++) {
                float[] y = targets.get(b);
                System.arraycopy(y, 0, t, b * seq * width, y.length);
            }
            target = BigDl.tensor(t, rows.length, seq, width);
        }
    }

    /** Sequences without targets, for an objective that asks the teacher itself (masked-LM distillation). */
    public static Sequences tokens(List<int[]> ids, List<int[]> types) {
        return of(ids, types, null);
    }

    /** Sequences held in lists; {@code targets} null: none (asking for one fails). */
    public static Sequences of(List<int[]> ids, List<int[]> types, List<float[]> targets) {
        List<int[]> a = new ArrayList<>(ids);
        List<int[]> b = new ArrayList<>(types);
        List<float[]> c = targets == null ? null : new ArrayList<>(targets);
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
                if (c == null) {
                    throw new UnsupportedOperationException("these sequences carry no targets; the objective asks the teacher");
                }
                return c.get(i);
            }
        };
    }
}
