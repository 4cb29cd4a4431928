package org.nasbert.supernet;

import com.intel.analytics.bigdl.utils.Table;
import org.nasbert.nn.FeedForward;
import org.nasbert.nn.LayerNorm;
import org.nasbert.nn.MultiHeadAttention;
import org.nasbert.nn.Parameterized;
import org.nasbert.nn.ResidualNorm;
import org.nasbert.nn.SeparableConv1d;
import org.nasbert.nn.Unmasked;
import org.nasbert.space.Op;
import org.nasbert.space.SearchSpace;

import java.util.Random;

/** Builds a candidate operation as a BigDL module: {@code LayerNorm(x + op(x, mask))}; identity has no module. */
public final class OpModules {
    /** BERT's LayerNorm epsilon. */
    public static final float EPS = 1e-12f;

    private OpModules() {
    }

    /** The module of {@code op} at hidden size h with fresh BERT-style weights, or null for identity. */
    public static Parameterized<Table> build(Op op, int hidden, int ffnRatio, Random random) {
        Parameterized<Table> inner;
        switch (op.kind()) {
            case MHA:
                inner = new MultiHeadAttention(hidden, SearchSpace.heads(hidden), random);
                break;
            case FFN:
                inner = new Unmasked(new FeedForward(hidden, ffnRatio * hidden, random));
                break;
            case SEP_CONV:
                inner = new SeparableConv1d(hidden, op.kernel(), random);
                break;
            default:
                return null;
        }
        return new ResidualNorm(inner, new LayerNorm(hidden, EPS));
    }
}
