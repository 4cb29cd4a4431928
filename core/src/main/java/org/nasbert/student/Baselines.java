package org.nasbert.student;

import org.nasbert.space.Architecture;
import org.nasbert.space.BlockPath;
import org.nasbert.space.Op;
import org.nasbert.space.StudentSize;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Hand-built baselines for a parameter budget, as the paper compares with (BERT L6/H128 at 5M ... L10/H512 at 60M):
 * uniform BERT-style encoders, L layers of MHA (H/64 heads) then FFN (4H), one hidden size H throughout, embeddings
 * at H. For a budget, the uniform encoder with the most parameters within it, over the given hidden sizes and
 * 1..maxLayers layers (a tie goes to the deeper one), counted as the searched students are (embeddings and head
 * included).
 */
public final class Baselines {
    private Baselines() {
    }

    /** L uniform layers at hidden size h as an architecture of one block: mha, ffn, mha, ffn, ... */
    public static Architecture uniform(int layers, int hidden) {
        List<Op> ops = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            ops.add(Op.MHA);
            ops.add(Op.FFN);
        }
        return new Architecture(Collections.singletonList(new BlockPath(hidden, ops)));
    }

    /** The largest uniform encoder within {@code maxParameters}, or null when even one layer at the smallest size exceeds it. */
    public static Architecture largestWithin(long maxParameters, int[] hiddenSizes, int maxLayers, StudentSize size) {
        return largestWithin(a -> size.parameters(a) <= maxParameters, hiddenSizes, maxLayers, size);
    }

    /**
     * The uniform encoder with the most parameters among those that {@code fit} (a latency budget, say), or null when none
     * does.
     */
    public static Architecture largestWithin(java.util.function.Predicate<Architecture> fits, int[] hiddenSizes, int maxLayers,
                                             StudentSize size) {
        Architecture best = null;
        long bestParams = -1;
        int bestLayers = 0;
        for (int h : hiddenSizes) {
            for (int l = 1; l <= maxLayers; l++) {
                Architecture a = uniform(l, h);
                long p = size.parameters(a);
                if (fits.test(a) && (p > bestParams || (p == bestParams && l > bestLayers))) {
                    best = a;
                    bestParams = p;
                    bestLayers = l;
                }
            }
        }
        return best;
    }
}
