package org.nasbert.space;

import org.nasbert.NasbertException;

import java.io.Serializable;
import java.util.Objects;

/**
 * One candidate operation of a supernet layer, at the block's hidden size: multi-head attention (h/64 heads),
 * a feed-forward network (inner size 4h), a separable 1-D convolution (kernel 3, 5 or 7), or identity. Every
 * op but identity is wrapped as BERT wraps its sublayers: {@code LayerNorm(x + op(x))}. Canonical names:
 * {@code mha}, {@code ffn}, {@code sep3} / {@code sep5} / {@code sep7}, {@code id}.
 */
public final class Op implements Serializable {
    private static final long serialVersionUID = 1L;

    public enum Kind { MHA, FFN, SEP_CONV, IDENTITY }

    public static final Op MHA = new Op(Kind.MHA, 0);
    public static final Op FFN = new Op(Kind.FFN, 0);
    public static final Op IDENTITY = new Op(Kind.IDENTITY, 0);

    private final Kind kind;
    private final int kernel;

    private Op(Kind kind, int kernel) {
        this.kind = kind;
        this.kernel = kernel;
    }

    public static Op sepConv(int kernel) {
        if (kernel < 1 || kernel % 2 == 0) {
            throw new NasbertException("separable convolution kernel " + kernel + ": expected an odd size >= 1");
        }
        return new Op(Kind.SEP_CONV, kernel);
    }

    public Kind kind() {
        return kind;
    }

    /** The convolution's kernel size; 0 for other ops. */
    public int kernel() {
        return kernel;
    }

    public boolean isIdentity() {
        return kind == Kind.IDENTITY;
    }

    public static Op parse(String name) {
        switch (name) {
            case "mha":
                return MHA;
            case "ffn":
                return FFN;
            case "id":
                return IDENTITY;
            default:
                if (name.matches("sep[0-9]+")) {
                    return sepConv(Integer.parseInt(name.substring(3)));
                }
                throw new NasbertException("unknown operation '" + name + "'; expected mha, ffn, sep<k> (e.g. sep3) or id");
        }
    }

    /**
     * Weights of the op at hidden size h, exactly as the module holds them: MHA 4 (h^2 + h); FFN h*ffn + ffn + ffn*h + h;
     * separable convolution k*h + h (depthwise) + h^2 + h (pointwise); plus the LayerNorm's 2h; identity none.
     */
    public long parameters(int h, int ffnRatio) {
        long hh = (long) h * h;
        switch (kind) {
            case MHA:
                return 4 * (hh + h) + 2L * h;
            case FFN:
                long inner = (long) ffnRatio * h;
                return 2 * inner * h + inner + h + 2L * h;
            case SEP_CONV:
                return (long) kernel * h + h + hh + h + 2L * h;
            default:
                return 0;
        }
    }

    /**
     * Floating-point operations (a multiply-add is 2) for one sequence of {@code seq} tokens: the matrix
     * products, attention's scores and weighted sums, the convolution's taps; element-wise work (softmax,
     * GELU, LayerNorm, residual) is not counted.
     */
    public long flops(int h, int ffnRatio, int seq) {
        long t = seq;
        switch (kind) {
            case MHA:
                return 2 * t * 4L * h * h + 2 * 2 * t * t * h;
            case FFN:
                return 2 * t * 2L * ffnRatio * h * h;
            case SEP_CONV:
                return 2 * t * ((long) kernel * h + (long) h * h);
            default:
                return 0;
        }
    }

    @Override
    public String toString() {
        switch (kind) {
            case MHA:
                return "mha";
            case FFN:
                return "ffn";
            case SEP_CONV:
                return "sep" + kernel;
            default:
                return "id";
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Op && ((Op) o).kind == kind && ((Op) o).kernel == kernel;
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, kernel);
    }
}
