package org.nasbert.search;

import org.nasbert.space.Architecture;
import org.nasbert.space.BlockPath;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.ToLongFunction;

/**
 * Which students a fidelity measurement distils standalone: the ones the search chose, then the rest spread evenly over
 * the size range of the students the block candidates make (one nearest each of evenly spaced parameter counts), so the
 * ranking is tested across sizes and not only among near-equals.
 */
public final class FidelitySample {
    /** Students drawn at random when the candidates make more than this many; all of them otherwise. */
    static final int POOL = 5000;

    private FidelitySample() {
    }

    /** How many distinct students the block candidates make (Long.MAX_VALUE when more than that). */
    public static long students(List<List<BlockPath>> blocks) {
        long n = 1;
        for (List<BlockPath> b : blocks) {
            n = b.isEmpty() ? 0 : n > Long.MAX_VALUE / b.size() ? Long.MAX_VALUE : n * b.size();
        }
        return n;
    }

    /**
     * {@code count} distinct students: {@code chosen} first (distinct, in order), then count − chosen more from the
     * candidates. The caller checks that count ≥ the distinct chosen and ≤ {@link #students}.
     */
    public static List<Architecture> draw(List<List<BlockPath>> blocks, List<Architecture> chosen, int count,
                                         ToLongFunction<Architecture> parameters, long seed) {
        Set<Architecture> out = new LinkedHashSet<>(chosen);
        Random random = new Random(seed);
        List<Architecture> pool = new ArrayList<>(pool(blocks, random));
        pool.removeAll(out);
        Collections.shuffle(pool, random);
        int wanted = count - out.size();
        if (wanted <= 0 || pool.isEmpty()) {
            return new ArrayList<>(out);
        }
        long[] size = new long[pool.size()];
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (int i = 0; i < size.length; i++) {
            size[i] = parameters.applyAsLong(pool.get(i));
            min = Math.min(min, size[i]);
            max = Math.max(max, size[i]);
        }
        boolean[] taken = new boolean[size.length];
        for (int r = 0; r < wanted && r < size.length; r++) {
            double target = min + (r + 0.5) * (max - min) / wanted;
            int best = -1;
            for (int i = 0; i < size.length; i++) {
                if (!taken[i] && (best < 0 || Math.abs(size[i] - target) < Math.abs(size[best] - target))) {
                    best = i;
                }
            }
            taken[best] = true;
            out.add(pool.get(best));
        }
        return new ArrayList<>(out);
    }

    /** Every student when there are at most POOL, else POOL distinct ones drawn uniformly. */
    private static Set<Architecture> pool(List<List<BlockPath>> blocks, Random random) {
        Set<Architecture> pool = new LinkedHashSet<>();
        long all = students(blocks);
        if (all <= POOL) {
            for (long i = 0; i < all; i++) {
                long rest = i;
                List<BlockPath> paths = new ArrayList<>();
                for (List<BlockPath> b : blocks) {
                    paths.add(b.get((int) (rest % b.size())));
                    rest /= b.size();
                }
                pool.add(new Architecture(paths));
            }
            return pool;
        }
        for (int attempt = 0; pool.size() < POOL && attempt < 20 * POOL; attempt++) {
            List<BlockPath> paths = new ArrayList<>();
            for (List<BlockPath> b : blocks) {
                paths.add(b.get(random.nextInt(b.size())));
            }
            pool.add(new Architecture(paths));
        }
        return pool;
    }
}
