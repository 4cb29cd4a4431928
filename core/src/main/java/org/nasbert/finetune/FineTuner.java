package org.nasbert.finetune;

import org.nasbert.Progress;
import com.intel.analytics.bigdl.tensor.Tensor;
import org.nasbert.engine.BigDl;
import org.nasbert.nn.Parameterized;
import org.nasbert.nn.Tensors;
import org.nasbert.supernet.GroupOptimizer;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Fine-tunes an encoder and its task head on labelled examples: shuffled minibatches for a number of epochs, Adam
 * with 10% warm-up and linear decay, the loss {@link TaskLoss} (task distillation when teacher logits are given).
 */
public final class FineTuner {
    private FineTuner() {
    }

    /** How every model of a comparison is fine-tuned. */
    public static final class Recipe implements Serializable {
        private static final long serialVersionUID = 1L;
        public final int epochs;
        public final int batchSize;
        public final double learningRate;
        /** Weight of the distillation term, λ. */
        public final double lambda;
        public final double temperature;
        public final long seed;

        public Recipe(int epochs, int batchSize, double learningRate, double lambda, double temperature, long seed) {
            this.epochs = epochs;
            this.batchSize = batchSize;
            this.learningRate = learningRate;
            this.lambda = lambda;
            this.temperature = temperature;
            this.seed = seed;
        }
    }

    /**
     * Trains in place; {@code teacher[i]} are the teacher's logits for {@code train.get(i)} (null: no distillation).
     * Returns the mean training loss of each epoch.
     */
    public static double[] train(Encoder encoder, TaskHead head, List<EncodedExample> train, float[][] teacher, boolean regression,
                                 Recipe recipe) {
        try {
            return train(encoder, head, train, teacher, regression, recipe, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // no checkpoints, no I/O
        }
    }

    /**
     * As above, resuming from the newest of {@code checkpoints} (null: none) and saving one every
     * {@code checkpoints.every} steps and after the last. Each epoch's order comes from one generator seeded once; a
     * resumed run replays the earlier epochs' shuffles, so it ends with the weights of an uninterrupted one.
     */
    public static double[] train(Encoder encoder, TaskHead head, List<EncodedExample> train, float[][] teacher, boolean regression,
                                 Recipe recipe, FinetuneCheckpoints checkpoints) throws IOException {
        return train(encoder, head, train, teacher, regression, recipe, checkpoints, "finetune");
    }

    /** As above, logging progress as {@code label} (see {@link Progress}). */
    public static double[] train(Encoder encoder, TaskHead head, List<EncodedExample> train, float[][] teacher, boolean regression,
                                 Recipe recipe, FinetuneCheckpoints checkpoints, String label) throws IOException {
        if (train.isEmpty()) {
            throw new IllegalArgumentException("no training examples");
        }
        GroupOptimizer adam = new GroupOptimizer(0.9, 0.999, 1e-6);
        Random random = new Random(recipe.seed);
        List<Parameterized<?>> modules = new ArrayList<>(encoder.modules());
        modules.add(head.dense());
        int perEpoch = (train.size() + recipe.batchSize - 1) / recipe.batchSize;
        long total = (long) perEpoch * recipe.epochs;
        long warmup = Math.max(1, total / 10);
        double[] epochSums = new double[recipe.epochs];
        long step = 0;
        FinetuneCheckpoints.Progress resumed = checkpoints == null ? null
                : checkpoints.restore(modules, adam, recipe.epochs);
        if (resumed != null) {
            step = Math.min(resumed.step, total);
            epochSums = resumed.epochSums;
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < train.size(); i++) {
            order.add(i);
        }
        Progress progress = Progress.of(label, total, "steps").from(step);
        for (int epoch = 0; epoch < recipe.epochs; epoch++) {
            Collections.shuffle(order, random);
            for (long b = Math.max(0, step - (long) epoch * perEpoch); b < perEpoch; b++) {
                int from = (int) b * recipe.batchSize;
                int[] rows = new int[Math.min(recipe.batchSize, train.size() - from)];
                for (int i = 0; i < rows.length; i++) {
                    rows[i] = order.get(from + i);
                }
                for (Parameterized<?> m : modules) {
                    m.zeroGradParameters();
                }
                TaskBatch batch = TaskBatch.of(train, rows);
                Tensor<Float> logits = head.forward(encoder.forward(batch), batch.lengths);
                float[][] grad = new float[rows.length][head.outputs()];
                epochSums[epoch] += loss(batch, logits, teacher == null ? null : pick(teacher, rows), regression, recipe, grad)
                        * rows.length;
                encoder.backward(head.backward(BigDl.tensor(flatten(grad), rows.length, head.outputs())));
                clipGlobalNorm(modules, MAX_GRADIENT_NORM);
                double lr = GroupOptimizer.learningRate(recipe.learningRate, step++, warmup, total);
                for (int m = 0; m < modules.size(); m++) {
                    adam.step("m" + m, Arrays.asList(modules.get(m).parameters()._1()), Arrays.asList(modules.get(m).parameters()._2()), lr);
                }
                if (checkpoints != null && checkpoints.due(step, total)) {
                    checkpoints.save(step, epochSums, modules, adam);
                }
                progress.advance(1);
            }
        }
        double[] epochLoss = new double[recipe.epochs];
        for (int e = 0; e < epochLoss.length; e++) {
            epochLoss[e] = epochSums[e] / train.size();
        }
        return epochLoss;
    }

    /** BERT's fine-tuning clips the gradients of all weights together to this norm. */
    static final double MAX_GRADIENT_NORM = 1.0;

    /** Scales every module's gradients so that together their L2 norm is at most {@code max}; returns the norm before. */
    static double clipGlobalNorm(List<Parameterized<?>> modules, double max) {
        double sum = 0;
        for (Parameterized<?> m : modules) {
            for (Tensor<Float> g : m.parameters()._2()) {
                float[] d = Tensors.data(g);
                for (int i = Tensors.offset(g); i < Tensors.offset(g) + g.nElement(); i++) {
                    sum += (double) d[i] * d[i];
                }
            }
        }
        double norm = Math.sqrt(sum);
        if (norm > max) {
            float scale = (float) (max / norm);
            for (Parameterized<?> m : modules) {
                for (Tensor<Float> g : m.parameters()._2()) {
                    g.mul(scale);
                }
            }
        }
        return norm;
    }

    /** Logits [examples][outputs], in order. */
    public static float[][] predict(Encoder encoder, TaskHead head, List<EncodedExample> data, int batchSize) {
        return predict(encoder, head, data, batchSize, "predict");
    }

    /** As above, logging progress as {@code label} (see {@link Progress}). */
    public static float[][] predict(Encoder encoder, TaskHead head, List<EncodedExample> data, int batchSize, String label) {
        float[][] out = new float[data.size()][];
        Progress progress = Progress.of(label, data.size(), "examples");
        for (int from = 0; from < data.size(); from += batchSize) {
            int[] rows = new int[Math.min(batchSize, data.size() - from)];
            for (int i = 0; i < rows.length; i++) {
                rows[i] = from + i;
            }
            TaskBatch batch = TaskBatch.of(data, rows);
            float[][] logits = rows(head.forward(encoder.forward(batch), batch.lengths));
            System.arraycopy(logits, 0, out, from, rows.length);
            progress.advance(rows.length);
        }
        return out;
    }

    private static double loss(TaskBatch batch, Tensor<Float> logits, float[][] teacher, boolean regression, Recipe recipe,
                               float[][] grad) {
        float[][] s = rows(logits);
        if (regression) {
            double[] targets = new double[batch.size()];
            for (int b = 0; b < targets.length; b++) {
                targets[b] = batch.examples.get(b).score;
            }
            return TaskLoss.regression(s, targets, teacher, recipe.lambda, grad);
        }
        int[] labels = new int[batch.size()];
        for (int b = 0; b < labels.length; b++) {
            labels[b] = batch.examples.get(b).label;
        }
        return TaskLoss.classification(s, labels, teacher, recipe.lambda, recipe.temperature, grad);
    }

    static float[][] rows(Tensor<Float> t) {
        Tensor<Float> d = Tensors.dense(t);
        int n = d.size(1);
        int c = d.size(2);
        float[] data = Tensors.data(d);
        float[][] out = new float[n][c];
        for (int i = 0; i < n; i++) {
            System.arraycopy(data, Tensors.offset(d) + i * c, out[i], 0, c);
        }
        return out;
    }

    private static float[][] pick(float[][] all, int[] rows) {
        float[][] out = new float[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            out[i] = all[rows[i]];
        }
        return out;
    }

    private static float[] flatten(float[][] x) {
        float[] out = new float[x.length * x[0].length];
        for (int i = 0; i < x.length; i++) {
            System.arraycopy(x[i], 0, out, i * x[0].length, x[i].length);
        }
        return out;
    }
}
