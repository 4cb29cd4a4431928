package org.nasbert.student;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nasbert.engine.BigDl;
import org.nasbert.nn.Tensors;
import org.nasbert.space.Architecture;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A student's distillation killed mid-way and rerun ends where an uninterrupted run ends. */
class DistillResumeTest {
    private static final Architecture ARCH = Architecture.parse("32:mha,ffn | 48:sep3,id");

    @TempDir
    Path temp;

    @Test
    void aRunResumedFromItsCheckpointEndsWithTheWeightsOfAnUninterruptedOne() throws Exception {
        BigDl.singleThreadedMath();
        Random random = new Random(3);
        Distiller.Sequences train = sequences(random, 40);
        Distiller.Sequences heldOut = sequences(random, 8);

        StudentModel straight = student();
        double[] straightLosses = Distiller.train(straight, train, heldOut, 40, 12, 4, 3e-3, 9);

        FileSystem fs = FileSystem.getLocal(new Configuration());
        DistillCheckpoints checkpoints = new DistillCheckpoints(fs, new org.apache.hadoop.fs.Path(temp.toUri()), 4);
        // killed during step 10: the newest checkpoint is step 8's
        Distiller.Sequences dying = failingAfter(train, 4 * 10 + 2);
        assertThrows(IllegalStateException.class, () -> Distiller.train(student(), dying, heldOut, 40, 12, 4, 3e-3, 9, checkpoints));
        StudentModel resumed = student();
        double[] resumedLosses = Distiller.train(resumed, train, heldOut, 40, 12, 4, 3e-3, 9, checkpoints);

        // to rounding: MKL's kernels may round differently from call to call on some CPUs (seen on AMD EPYC, 4e-8)
        assertEquals(straightLosses[0], resumedLosses[0], 1e-6 * straightLosses[0], "held-out loss at the start, restored");
        assertEquals(straightLosses[1], resumedLosses[1], 1e-7);
        Map<String, com.intel.analytics.bigdl.tensor.Tensor<Float>> a = straight.namedWeights();
        Map<String, com.intel.analytics.bigdl.tensor.Tensor<Float>> b = resumed.namedWeights();
        double worst = maxDifference(a, b);
        assertTrue(worst <= 1e-6, "max |weight difference| " + worst);
        // and the fresh student really moved: the comparison is not between two untouched models
        float[] init = Tensors.copyOf(student().namedWeights().get("embeddings.LayerNorm.weight"));
        float[] trained = Tensors.copyOf(a.get("embeddings.LayerNorm.weight"));
        double moved = 0;
        for (int i = 0; i < init.length; i++) {
            moved = Math.max(moved, Math.abs(init[i] - trained[i]));
        }
        assertTrue(moved > 1e-3, "training moved the weights by " + moved);
    }

    @Test
    void aMaskedLmDistillationResumedFromItsCheckpointEndsWithTheWeightsOfAnUninterruptedOne() throws Exception {
        BigDl.singleThreadedMath();
        Random random = new Random(4);
        Distiller.Sequences train = sequences(random, 40);
        Distiller.Sequences heldOut = sequences(random, 8);
        org.nasbert.teacher.BertModel teacher = new org.nasbert.teacher.BertModel(org.nasbert.testing.TinyBert.withHead(
                new org.nasbert.teacher.BertConfig(100, 16, 2, 2, 32, 32, 2, 1e-12f), new Random(6), 0.3));
        Masking masking = new Masking(0.3, 3, 100, 1, 2);
        MaskedLmDistillation objective = new MaskedLmDistillation(train, heldOut, teacher, masking, 2.0, 4);

        StudentModel straight = maskedLmStudent();
        double[] straightLosses = Distiller.train(straight, objective, 12, 4, 3e-3, 9, null);

        FileSystem fs = FileSystem.getLocal(new Configuration());
        DistillCheckpoints checkpoints = new DistillCheckpoints(fs, new org.apache.hadoop.fs.Path(temp.toUri()), 4);
        assertThrows(IllegalStateException.class, () -> Distiller.train(maskedLmStudent(), killedAtStep(objective, 10), 12, 4, 3e-3, 9,
                checkpoints));
        StudentModel resumed = maskedLmStudent();
        double[] resumedLosses = Distiller.train(resumed, objective, 12, 4, 3e-3, 9, checkpoints);

        // to rounding: MKL's kernels may round differently from call to call on some CPUs (seen on AMD EPYC, 4e-8)
        assertEquals(straightLosses[0], resumedLosses[0], 1e-6 * straightLosses[0], "held-out loss at the start, restored");
        assertEquals(straightLosses[1], resumedLosses[1], 1e-7);
        assertTrue(straightLosses[1] < straightLosses[0] - 0.05, "the student learnt: " + straightLosses[0] + " -> " + straightLosses[1]);
        Map<String, com.intel.analytics.bigdl.tensor.Tensor<Float>> a = straight.namedWeights();
        Map<String, com.intel.analytics.bigdl.tensor.Tensor<Float>> b = resumed.namedWeights();
        assertTrue(a.containsKey("head.bias"), "the head is part of the student's weights");
        double worst = maxDifference(a, b);
        assertTrue(worst <= 1e-6, "max |weight difference| " + worst);
    }

    private static double maxDifference(Map<String, com.intel.analytics.bigdl.tensor.Tensor<Float>> a,
                                        Map<String, com.intel.analytics.bigdl.tensor.Tensor<Float>> b) {
        double worst = 0;
        for (String name : a.keySet()) {
            float[] x = Tensors.copyOf(a.get(name));
            float[] y = Tensors.copyOf(b.get(name));
            for (int i = 0; i < x.length; i++) {
                worst = Math.max(worst, Math.abs(x[i] - y[i]));
            }
        }
        return worst;
    }

    private static StudentModel maskedLmStudent() {
        return StudentModel.freshWithMaskedLmHead(ARCH, 24, 100, 32, 4, 5);
    }

    /** The objective, failing when step {@code step} (1-based) of this run begins: a kill in the middle of training. */
    private static Distiller.Objective killedAtStep(Distiller.Objective objective, int step) {
        int[] calls = {0};
        return new Distiller.Objective() {
            public int trainingSize() {
                return objective.trainingSize();
            }

            public double step(StudentModel student, int[] rows, Random random) {
                if (++calls[0] == step) {
                    throw new IllegalStateException("killed");
                }
                return objective.step(student, rows, random);
            }

            public double heldOutLoss(StudentModel student) {
                return objective.heldOutLoss(student);
            }
        };
    }

    private static StudentModel student() {
        return StudentModel.fresh(ARCH, 24, 100, 32, 4, 5, 40);
    }

    private static Distiller.Sequences sequences(Random random, int n) {
        List<int[]> ids = new ArrayList<>();
        List<int[]> types = new ArrayList<>();
        List<float[]> targets = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int len = 5 + random.nextInt(10);
            int[] x = new int[len];
            for (int t = 0; t < len; t++) {
                x[t] = random.nextInt(100);
            }
            float[] y = new float[len * 40];
            for (int j = 0; j < y.length; j++) {
                y[j] = (float) random.nextGaussian();
            }
            ids.add(x);
            types.add(new int[len]);
            targets.add(y);
        }
        return Distiller.of(ids, types, targets);
    }

    /** The same data, failing once {@code calls} targets have been read: a kill in the middle of a step. */
    private static Distiller.Sequences failingAfter(Distiller.Sequences data, int calls) {
        int[] left = {calls};
        return new Distiller.Sequences() {
            public int size() {
                return data.size();
            }

            public int[] ids(int i) {
                return data.ids(i);
            }

            public int[] types(int i) {
                return data.types(i);
            }

            public float[] target(int i) {
                if (left[0]-- <= 0) {
                    throw new IllegalStateException("killed");
                }
                return data.target(i);
            }
        };
    }
}
