package org.nasbert.student;

import com.intel.analytics.bigdl.tensor.Tensor;
import org.nasbert.nn.MaskedLmHead;
import org.nasbert.nn.Tensors;
import org.nasbert.teacher.BertModel;

import java.util.Random;

/**
 * Distillation of a teacher's masked-LM outputs (NAS-BERT §4.1.2, the pre-training KD): teacher and student read the
 * same masked batch, and at each masked place the student's vocabulary distribution learns the teacher's,
 * {@code T² KL(softmax(t/T) || softmax(s/T))} averaged over the places. Only the masked places' logits are formed
 * (a [batch, seq, 30522] tensor would dwarf the models). The held-out sequences are masked the same way every time.
 */
public final class MaskedLmDistillation implements Distiller.Objective {
    private final Distiller.Sequences train;
    private final Distiller.Sequences heldOut;
    private final BertModel teacher;
    private final Masking masking;
    private final double temperature;
    private final int batchSize;

    /** {@code train} and {@code heldOut} need ids and types only; the teacher computes its outputs per batch. */
    public MaskedLmDistillation(Distiller.Sequences train, Distiller.Sequences heldOut, BertModel teacher, Masking masking,
                                double temperature, int batchSize) {
        if (!teacher.hasMlmHead()) {
            throw new IllegalArgumentException("the teacher has no masked-LM head; distil its hidden states instead");
        }
        if (!(temperature > 0)) {
            throw new IllegalArgumentException("temperature must be positive, got " + temperature);
        }
        this.train = train;
        this.heldOut = heldOut;
        this.teacher = teacher;
        this.masking = masking;
        this.temperature = temperature;
        this.batchSize = batchSize;
    }

    @Override
    public int trainingSize() {
        return train.size();
    }

    @Override
    public double step(StudentModel student, int[] rows, Random random) {
        Distiller.Padded p = new Distiller.Padded(train, rows);
        return loss(student, teacher, p.types, p.lengths, masking.apply(p.ids, p.lengths, random), temperature, 1.0);
    }

    @Override
    public double heldOutLoss(StudentModel student) {
        double sum = 0;
        long places = 0;
        for (int from = 0; from < heldOut.size(); from += batchSize) {
            int[] rows = new int[Math.min(batchSize, heldOut.size() - from)];
            for (int i = 0; i < rows.length; i++) {
                rows[i] = from + i;
            }
            Distiller.Padded p = new Distiller.Padded(heldOut, rows);
            Masking.Masked m = masking.apply(p.ids, p.lengths, new Random(0x6D61736BL + from));
            sum += loss(student, teacher, p.types, p.lengths, m, temperature, 0) * m.count();
            places += m.count();
        }
        return sum / Math.max(1, places);
    }

    /**
     * The loss on one masked batch; the gradients of {@code gradientScale} times it accumulate into the student's modules,
     * its masked-LM head included (0 evaluates, no backward pass).
     */
    public static double loss(StudentModel student, BertModel teacher, int[][] types, int[] lengths, Masking.Masked m,
                              double temperature, double gradientScale) {
        MaskedLmHead head = student.maskedLmHead();
        if (head == null) {
            throw new IllegalArgumentException("the student has no masked-LM head");
        }
        if (m.count() == 0) {
            return 0;
        }
        Tensor<Float> target = teacher.maskedLmLogits(m.ids, types, lengths, m.batch, m.position);
        StudentPass pass = student.train(m.ids, types, lengths);
        Tensor<Float> rows = Tensors.gather(pass.output(), m.batch, m.position);
        Tensor<Float> logits = head.forward(rows);
        if (logits.size(2) != target.size(2)) {
            throw new IllegalArgumentException("the student predicts " + logits.size(2) + " tokens, the teacher " + target.size(2)
                    + "; they must share the vocabulary");
        }
        Tensor<Float> grad = Tensors.zeros(logits.size());
        double loss = klDivergence(target, logits, temperature, grad);
        if (gradientScale != 0) {
            grad.mul((float) gradientScale);
            Tensor<Float> dRows = head.backward(rows, grad);
            pass.backward(Tensors.scatter(dRows, pass.output().size(), m.batch, m.position));
        }
        return loss;
    }

    /**
     * {@code T²} times the mean over rows of KL(softmax(t/T) || softmax(s/T)) for [n, vocab] logits, in double;
     * {@code grad} receives its derivative by the student's logits, {@code T (softmax(s/T) - softmax(t/T)) / n}.
     */
    static double klDivergence(Tensor<Float> teacher, Tensor<Float> student, double temperature, Tensor<Float> grad) {
        Tensor<Float> t = Tensors.dense(teacher);
        Tensor<Float> s = Tensors.dense(student);
        int n = s.size(1);
        int vocab = s.size(2);
        float[] td = Tensors.data(t);
        float[] sd = Tensors.data(s);
        float[] g = Tensors.data(grad);
        double total = 0;
        double[] p = new double[vocab];
        double[] q = new double[vocab];
        for (int r = 0; r < n; r++) {
            logSoftmax(td, Tensors.offset(t) + r * vocab, vocab, temperature, p);
            logSoftmax(sd, Tensors.offset(s) + r * vocab, vocab, temperature, q);
            double kl = 0;
            for (int v = 0; v < vocab; v++) {
                double pv = Math.exp(p[v]);
                kl += pv * (p[v] - q[v]);
                g[Tensors.offset(grad) + r * vocab + v] = (float) (temperature * (Math.exp(q[v]) - pv) / n);
            }
            total += kl;
        }
        return temperature * temperature * total / n;
    }

    /** log softmax(x/T) of one row into {@code out}. */
    private static void logSoftmax(float[] x, int at, int vocab, double temperature, double[] out) {
        double max = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < vocab; v++) {
            max = Math.max(max, x[at + v] / temperature);
        }
        double sum = 0;
        for (int v = 0; v < vocab; v++) {
            sum += Math.exp(x[at + v] / temperature - max);
        }
        double lse = max + Math.log(sum);
        for (int v = 0; v < vocab; v++) {
            out[v] = x[at + v] / temperature - lse;
        }
    }
}
