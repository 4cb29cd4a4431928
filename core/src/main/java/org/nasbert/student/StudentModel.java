package org.nasbert.student;

import com.intel.analytics.bigdl.tensor.Tensor;
import com.intel.analytics.bigdl.utils.Table;
import org.nasbert.nn.BertEmbeddings;
import org.nasbert.nn.Dense;
import org.nasbert.nn.MaskedLmHead;
import org.nasbert.nn.Parameterized;
import org.nasbert.nn.Tensors;
import org.nasbert.nn.TokenBatch;
import org.nasbert.space.Architecture;
import org.nasbert.space.Op;
import org.nasbert.supernet.SupernetBlock;
import org.nasbert.teacher.BertWeights;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A standalone student encoder built from an architecture (NAS-BERT §3.1): embeddings, a projection to block 0's
 * width when the embedding size differs, each block's operations, a linear map wherever the next block's input
 * differs, and an optional projection of the last block's output. Only the chosen operations exist: it is
 * physically as small as its architecture, unlike the supernet it may come from.
 */
public final class StudentModel {
    private final Architecture architecture;
    private final BertEmbeddings embeddings;
    private final Dense input;
    private final List<List<Parameterized<Table>>> blocks;
    /** between[n] maps block n's output to block n+1's input; null where the width stays and nothing is inherited. */
    private final Dense[] between;
    private final Dense output;
    /** The masked-LM head (decoder tied to the word table) that distillation from a teacher's MLM outputs trains; or null. */
    private final MaskedLmHead head;
    /** The loss's gradient at the output, kept between steps (not a fresh tensor each step). */
    private final Tensor<Float> outputGradient = Tensors.empty();

    StudentModel(Architecture architecture, BertEmbeddings embeddings, Dense input, List<List<Parameterized<Table>>> blocks,
                         Dense[] between, Dense output, MaskedLmHead head) {
        this.head = head;
        this.architecture = architecture;
        this.embeddings = embeddings;
        this.input = input;
        this.blocks = blocks;
        this.between = between;
        this.output = output;
    }

    /**
     * Fresh BERT-style weights (as the paper trains its students): embeddings of {@code embeddingSize}, a projection to
     * block 0's width if that differs, linear maps only where the width changes, no output projection.
     */
    public static StudentModel fresh(Architecture a, int embeddingSize, int vocab, int positions, int ffnRatio, long seed) {
        return fresh(a, embeddingSize, vocab, positions, ffnRatio, seed, 0);
    }

    /**
     * As {@link #fresh(Architecture, int, int, int, int, long)}, with a projection of the last block's output to
     * {@code outputWidth} (0: none): distilling a teacher's hidden states needs the student's at the teacher's width
     * (TinyBERT's learnable W_h), a training-time part the exported student leaves out.
     */
    public static StudentModel fresh(Architecture a, int embeddingSize, int vocab, int positions, int ffnRatio, long seed,
                                     int outputWidth) {
        return FreshStudent.build(a, embeddingSize, vocab, positions, ffnRatio, seed, FreshStudent.widthChanges(a), outputWidth, false);
    }

    /**
     * A fresh student with a masked-LM head, BERT's (transform to the embedding width, GELU, LayerNorm, decoder tied to
     * the word table, its own bias), for distilling a teacher's masked-LM outputs; no output projection.
     */
    public static StudentModel freshWithMaskedLmHead(Architecture a, int embeddingSize, int vocab, int positions, int ffnRatio,
                                                     long seed) {
        return FreshStudent.build(a, embeddingSize, vocab, positions, ffnRatio, seed, FreshStudent.widthChanges(a), 0, true);
    }

    /**
     * Weights inherited from the trained supernet and the teacher, computing exactly what the search scored (see
     * {@link StudentInheritance}).
     */
    public static StudentModel inherited(Architecture a, SupernetBlock[] supernet, BertWeights teacher) {
        return StudentInheritance.inherited(a, supernet, teacher, false);
    }

    /** As {@link #inherited(Architecture, SupernetBlock[], BertWeights)}, with a copy of the teacher's masked-LM head when asked. */
    public static StudentModel inherited(Architecture a, SupernetBlock[] supernet, BertWeights teacher, boolean maskedLmHead) {
        return StudentInheritance.inherited(a, supernet, teacher, maskedLmHead);
    }

    public Architecture architecture() {
        return architecture;
    }

    /** The embedding tables' width. */
    public int embeddingSize() {
        return embeddings.wordEmbeddings().size(2);
    }

    /** The embedding LayerNorm's epsilon (the teacher's when inherited). */
    public float embeddingEps() {
        return embeddings.normEps();
    }

    public int vocabSize() {
        return embeddings.wordEmbeddings().size(1);
    }

    public int positions() {
        return embeddings.parameters()._1()[1].size(1);
    }

    /** The masked-LM head, or null: logits over the vocabulary from the student's output rows ([n, width] to [n, vocab]). */
    public MaskedLmHead maskedLmHead() {
        return head;
    }

    /** Whether a linear map follows block n. */
    public boolean[] links() {
        boolean[] out = new boolean[between.length];
        for (int n = 0; n < out.length; n++) {
            out[n] = between[n] != null;
        }
        return out;
    }

    /** The output projection's width, 0 when the last block's output is the student's. */
    public int outputWidth() {
        return output == null ? 0 : output.outputSize();
    }

    /**
     * Every weight tensor by a stable name: {@code embeddings.*}, {@code input.*}, {@code blocks.<n>.ops.<k>.<op>.p<j>}
     * (j in the module's parameter order), {@code between.<n>.*}, {@code output.*}.
     */
    public Map<String, Tensor<Float>> namedWeights() {
        Map<String, Tensor<Float>> out = new LinkedHashMap<>();
        String[] embeddingNames = {"word_embeddings.weight", "position_embeddings.weight", "token_type_embeddings.weight",
                "LayerNorm.weight", "LayerNorm.bias"};
        Tensor<Float>[] e = embeddings.parameters()._1();
        for (int i = 0; i < e.length; i++) {
            out.put("embeddings." + embeddingNames[i], e[i]);
        }
        dense(out, "input", input);
        for (int n = 0; n < blocks.size(); n++) {
            List<Op> ops = new ArrayList<>();
            for (Op op : architecture.blocks().get(n).ops()) {
                if (!op.isIdentity()) {
                    ops.add(op);
                }
            }
            for (int k = 0; k < ops.size(); k++) {
                Tensor<Float>[] w = blocks.get(n).get(k).parameters()._1();
                for (int j = 0; j < w.length; j++) {
                    out.put("blocks." + n + ".ops." + k + "." + ops.get(k) + ".p" + j, w[j]);
                }
            }
            if (n < between.length) {
                dense(out, "between." + n, between[n]);
            }
        }
        dense(out, "output", output);
        if (head != null) {
            String[] names = {"transform.weight", "transform.bias", "LayerNorm.weight", "LayerNorm.bias", "bias"};
            Tensor<Float>[] w = head.parameters()._1();
            for (int i = 0; i < names.length; i++) {
                out.put("head." + names[i], w[i]);
            }
        }
        return out;
    }

    private static void dense(Map<String, Tensor<Float>> out, String name, Dense d) {
        if (d != null) {
            out.put(name + ".weight", d.weight());
            out.put(name + ".bias", d.bias());
        }
    }

    /** The encoder's output for a padded batch: [batch, length, width of the last block, or the output projection's]. */
    public Tensor<Float> forward(int[][] ids, int[][] types, int[] lengths) {
        TokenBatch in = new TokenBatch(ids, types, lengths);
        Tensor<Float> h = embeddings.forward(Tensors.table(in.ids, in.types));
        if (input != null) {
            h = input.forward(h);
        }
        for (int n = 0; n < blocks.size(); n++) {
            for (Parameterized<Table> op : blocks.get(n)) {
                h = op.forward(Tensors.table(h, in.mask));
            }
            if (n < between.length && between[n] != null) {
                h = between[n].forward(h);
            }
        }
        return output == null ? h : output.forward(h);
    }

    /**
     * Inference: the output as a tensor of its own, each module's activations released as soon as the next module
     * has read them (a plain forward keeps every module's, as training needs).
     */
    public Tensor<Float> infer(int[][] ids, int[][] types, int[] lengths) {
        TokenBatch in = new TokenBatch(ids, types, lengths);
        Parameterized<?> previous = embeddings;
        Tensor<Float> h = embeddings.forward(Tensors.table(in.ids, in.types));
        if (input != null) {
            h = input.forward(h);
            previous.clearState();
            previous = input;
        }
        for (int n = 0; n < blocks.size(); n++) {
            for (Parameterized<Table> op : blocks.get(n)) {
                h = op.forward(Tensors.table(h, in.mask));
                previous.clearState();
                previous = op;
            }
            if (n < between.length && between[n] != null) {
                h = between[n].forward(h);
                previous.clearState();
                previous = between[n];
            }
        }
        if (output != null) {
            h = output.forward(h);
            previous.clearState();
            previous = output;
        }
        Tensor<Float> result = h.clone();
        previous.clearState();
        return result;
    }

    /** Every module with weights, input side first, the masked-LM head last: what an optimiser steps and a checkpoint stores. */
    public List<Parameterized<?>> modules() {
        List<Parameterized<?>> out = encoderModules();
        if (head != null) {
            out.add(head);
        }
        return out;
    }

    /** The modules a forward pass runs, in order: embeddings to output projection (no masked-LM head). */
    public List<Parameterized<?>> encoderModules() {
        List<Parameterized<?>> out = new ArrayList<>();
        out.add(embeddings);
        if (input != null) {
            out.add(input);
        }
        for (int n = 0; n < blocks.size(); n++) {
            out.addAll(blocks.get(n));
            if (n < between.length && between[n] != null) {
                out.add(between[n]);
            }
        }
        if (output != null) {
            out.add(output);
        }
        return out;
    }

    public void zeroGradients() {
        for (Parameterized<?> m : modules()) {
            m.zeroGradParameters();
        }
    }

    /**
     * Hidden-state distillation on one batch: the mean squared error per element between the student's output and
     * {@code target} (the teacher's last hidden state, same shape) over real tokens; the gradients of
     * {@code gradientScale} times it accumulate into every module (zero them first); 0 evaluates, no backward.
     */
    public double distill(int[][] ids, int[][] types, int[] lengths, Tensor<Float> target, double gradientScale) {
        StudentPass pass = train(ids, types, lengths);
        Tensor<Float> h = pass.output();
        if (target.nElement() != h.nElement()) {
            throw new IllegalArgumentException("target of " + target.nElement() + " values for an output of " + h.nElement()
                    + " (" + java.util.Arrays.toString(h.size()) + "); give the student an output projection to the teacher's width");
        }
        Tensor<Float> grad = Tensors.resize(outputGradient, h.size());
        double loss = SupernetBlock.meanSquaredError(h, target, pass.mask(), grad);
        if (gradientScale == 0) {
            return loss; // evaluation: no backward pass
        }
        grad.mul((float) gradientScale);
        pass.backward(grad);
        return loss;
    }

    /** A forward pass that keeps what its backward pass needs. */
    public StudentPass train(int[][] ids, int[][] types, int[] lengths) {
        return new StudentPass(embeddings, encoderModules(), ids, types, lengths);
    }

    /** Weights of every module the student holds. */
    public long parameterCount() {
        long n = embeddings.parameterCount() + (input == null ? 0 : input.parameterCount()) + (output == null ? 0 : output.parameterCount())
                + (head == null ? 0 : head.parameterCount());
        for (List<Parameterized<Table>> ops : blocks) {
            for (Parameterized<Table> op : ops) {
                n += op.parameterCount();
            }
        }
        for (Dense d : between) {
            n += d == null ? 0 : d.parameterCount();
        }
        return n;
    }
}
