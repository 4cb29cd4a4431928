package org.nasbert.space;

import java.io.Serializable;
import java.util.List;

/**
 * Parameters and FLOPs of a whole deployed student (NAS-BERT §3.1, A.4): embeddings (token, position and type
 * tables plus LayerNorm) of the embedding size, a projection to block 0's hidden size when they differ, the
 * blocks' operations, a linear projection wherever the next block's hidden size differs, and a head (BERT's pooler
 * and a two-way classifier). The paper's 5M...60M budgets count embeddings (BERT L6/H128 is 5.1M with them). FLOPs
 * are for one sequence, multiply-add = 2. An embedding size of {@link #BLOCK_0} gives each student block 0's width,
 * as BERT does.
 */
public final class StudentSize implements Serializable {
    private static final long serialVersionUID = 1L;
    /** BERT's WordPiece vocabulary, position table and segment types. */
    /** FLOPs are counted for one sequence of this length (the paper's batch 1, sequence 128). */
    public static final int FLOPS_SEQUENCE = 128;
    public static final StudentSize BERT = new StudentSize(30522, 512, 2, 4);
    /** The embedding size that follows block 0's hidden size (no input projection). */
    public static final int BLOCK_0 = 0;

    private final int vocab;
    private final int positions;
    private final int types;
    private final int ffnRatio;
    private final int embeddingSize;

    public StudentSize(int vocab, int positions, int types, int ffnRatio) {
        this(vocab, positions, types, ffnRatio, BLOCK_0);
    }

    public StudentSize(int vocab, int positions, int types, int ffnRatio, int embeddingSize) {
        if (embeddingSize < 0) {
            throw new IllegalArgumentException("embedding size " + embeddingSize + ": expected a width > 0, or 0 for block 0's");
        }
        this.vocab = vocab;
        this.positions = positions;
        this.types = types;
        this.ffnRatio = ffnRatio;
        this.embeddingSize = embeddingSize;
    }

    public StudentSize withFfnRatio(int ratio) {
        return new StudentSize(vocab, positions, types, ratio, embeddingSize);
    }

    public StudentSize withEmbeddingSize(int size) {
        return new StudentSize(vocab, positions, types, ffnRatio, size);
    }

    /** The setting as given: a width, or {@link #BLOCK_0}. */
    public int embeddingSize() {
        return embeddingSize;
    }

    /** The embedding tables' width of a student whose block 0 has hidden size {@code firstWidth}. */
    public int embeddingWidth(int firstWidth) {
        return embeddingWidth(embeddingSize, firstWidth);
    }

    public static int embeddingWidth(int embeddingSize, int firstWidth) {
        return embeddingSize == BLOCK_0 ? firstWidth : embeddingSize;
    }

    public int vocab() {
        return vocab;
    }

    public int ffnRatio() {
        return ffnRatio;
    }

    public long embeddingParameters(int h) {
        return (long) (vocab + positions + types) * h + 2L * h;
    }

    public static long projectionParameters(int from, int to) {
        return (long) from * to + to;
    }

    public static long headParameters(int h) {
        return (long) h * h + h + 2L * h + 2;
    }

    /** Everything but the blocks' operations, for the blocks' hidden sizes in order. */
    public long fixedParameters(int[] widths) {
        int e = embeddingWidth(widths[0]);
        long n = embeddingParameters(e) + headParameters(widths[widths.length - 1]);
        n += e != widths[0] ? projectionParameters(e, widths[0]) : 0;
        for (int i = 1; i < widths.length; i++) {
            n += widths[i] != widths[i - 1] ? projectionParameters(widths[i - 1], widths[i]) : 0;
        }
        return n;
    }

    /** Projections and head (embedding lookups are not arithmetic) at {@code seq} tokens. */
    public long fixedFlops(int[] widths, int seq) {
        long n = 2L * widths[widths.length - 1] * widths[widths.length - 1] + 2L * 2 * widths[widths.length - 1];
        int e = embeddingWidth(widths[0]);
        n += e != widths[0] ? 2L * seq * e * widths[0] : 0;
        for (int i = 1; i < widths.length; i++) {
            n += widths[i] != widths[i - 1] ? 2L * seq * widths[i - 1] * widths[i] : 0;
        }
        return n;
    }

    public long parameters(Architecture a) {
        return fixedParameters(widths(a)) + a.blockParameters(ffnRatio);
    }

    public long flops(Architecture a, int seq) {
        return fixedFlops(widths(a), seq) + a.blockFlops(ffnRatio, seq);
    }

    public static int[] widths(Architecture a) {
        List<BlockPath> blocks = a.blocks();
        int[] w = new int[blocks.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = blocks.get(i).hidden();
        }
        return w;
    }
}
