package org.nasbert.finetune;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nasbert.engine.BigDl;
import org.nasbert.nn.Parameterized;
import org.nasbert.nn.Tensors;
import org.nasbert.space.Architecture;
import org.nasbert.student.StudentModel;

import java.nio.file.Path;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A model's fine-tuning killed mid-epoch and rerun ends where an uninterrupted run ends; a finished model is not retrained. */
class FinetuneResumeTest {
    // 60 examples in batches of 8: 8 steps an epoch (the last of 4), 24 steps in 3 epochs
    private static final FineTuner.Recipe RECIPE = new FineTuner.Recipe(3, 8, 3e-3, 0.5, 1.0, 11);

    @TempDir
    Path temp;

    private final List<EncodedExample> train = FineTuneTest.keywordTask(new Random(5), 60);
    private final float[][] teacher = teacherLogits(train);

    @Test
    void aFineTuningResumedFromItsCheckpointEndsWithTheWeightsAndLossesOfAnUninterruptedOne() throws Exception {
        BigDl.singleThreadedMath();
        Model straight = new Model();
        double[] straightLosses = FineTuner.train(straight.encoder, straight.head, train, teacher, false, RECIPE);

        FinetuneCheckpoints checkpoints = checkpoints(5);
        // epochs 0 and 1 read 60 examples each; step 19 (the 3rd of epoch 2) dies on its 4th example
        List<EncodedExample> dying = failingAfter(train, 60 + 60 + 8 + 8 + 3);
        Model killed = new Model();
        assertThrows(IllegalStateException.class, () -> FineTuner.train(killed.encoder, killed.head, dying, teacher, false, RECIPE,
                checkpoints));
        assertEquals(15, checkpoints.latestStep(), "the newest checkpoint, in the middle of epoch 1");

        Model resumed = new Model();
        double[] resumedLosses = FineTuner.train(resumed.encoder, resumed.head, train, teacher, false, RECIPE, checkpoints);

        for (int e = 0; e < straightLosses.length; e++) { // to rounding: MKL may round differently from call to call on some CPUs
            assertEquals(straightLosses[e], resumedLosses[e], 1e-6 * straightLosses[e], "epoch " + e + "'s mean loss");
        }
        assertEquals(24, checkpoints.latestStep(), "the last step is checkpointed: the model is finished");
        double worst = maxDifference(straight.modules(), resumed.modules());
        assertTrue(worst <= 1e-5, "max |weight difference| " + worst);
        double moved = maxDifference(straight.modules(), new Model().modules());
        assertTrue(moved > 1e-3, "training moved the weights by " + moved);
    }

    @Test
    void aModelWhoseLastStepIsCheckpointedIsRestoredWithoutTrainingAgain() throws Exception {
        BigDl.singleThreadedMath();
        FinetuneCheckpoints checkpoints = checkpoints(100);
        Model first = new Model();
        double[] losses = FineTuner.train(first.encoder, first.head, train, teacher, false, RECIPE, checkpoints);
        assertEquals(24, checkpoints.latestStep());

        Model again = new Model();
        List<EncodedExample> untouchable = failingAfter(train, 0);
        assertArrayEquals(losses, FineTuner.train(again.encoder, again.head, untouchable, teacher, false, RECIPE, checkpoints), 0);
        assertEquals(0, maxDifference(first.modules(), again.modules()), "the trained weights, read back");
    }

    private FinetuneCheckpoints checkpoints(int every) throws Exception {
        return new FinetuneCheckpoints(FileSystem.getLocal(new Configuration()), new org.apache.hadoop.fs.Path(temp.toUri()), every);
    }

    /** A student and its head, initialised the same way every time. */
    private static final class Model {
        final StudentEncoder encoder = new StudentEncoder(StudentModel.fresh(Architecture.parse("24:mha,ffn | 32:sep3,ffn"), 24, 60, 32, 2, 3));
        final TaskHead head = new TaskHead(encoder.width(), 2, new Random(3));

        List<Parameterized<?>> modules() {
            List<Parameterized<?>> m = new ArrayList<>(encoder.modules());
            m.add(head.dense());
            return m;
        }
    }

    private static double maxDifference(List<Parameterized<?>> a, List<Parameterized<?>> b) {
        double worst = 0;
        for (int m = 0; m < a.size(); m++) {
            for (int p = 0; p < a.get(m).parameters()._1().length; p++) {
                float[] x = Tensors.copyOf(a.get(m).parameters()._1()[p]);
                float[] y = Tensors.copyOf(b.get(m).parameters()._1()[p]);
                for (int i = 0; i < x.length; i++) {
                    worst = Math.max(worst, Math.abs(x[i] - y[i]));
                }
            }
        }
        return worst;
    }

    /** Soft targets that disagree with the labels now and then, so the distillation term matters. */
    private static float[][] teacherLogits(List<EncodedExample> data) {
        Random random = new Random(8);
        float[][] out = new float[data.size()][2];
        for (int i = 0; i < out.length; i++) {
            out[i][data.get(i).label] = 1.5f + (float) random.nextGaussian();
        }
        return out;
    }

    /** The examples, until the {@code reads}-th has been read: then every read throws, as a dying task would. */
    private static List<EncodedExample> failingAfter(List<EncodedExample> data, int reads) {
        return new AbstractList<EncodedExample>() {
            private int count;

            @Override
            public EncodedExample get(int index) {
                if (count++ >= reads) {
                    throw new IllegalStateException("killed");
                }
                return data.get(index);
            }

            @Override
            public int size() {
                return data.size();
            }
        };
    }
}
