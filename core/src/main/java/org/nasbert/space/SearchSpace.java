package org.nasbert.space;

import org.nasbert.NasbertException;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * NAS-BERT's search space (§3.1): N blocks of L/N layers; per block one hidden size from a list; per layer one
 * of MHA, FFN, separable convolutions of several kernels, or identity. With the paper's numbers (hidden sizes
 * 128..512, kernels 3/5/7, 6 layers per block) a layer has 26 candidates (5 per hidden size and identity) and a
 * block 5 x (5 + 5^2 + ... + 5^6) = 97,650 paths once identities are kept to the end.
 */
public final class SearchSpace implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int[] hiddenSizes;
    private final int[] kernels;
    private final int layersPerBlock;
    private final int ffnRatio;

    public SearchSpace(int[] hiddenSizes, int[] kernels, int layersPerBlock, int ffnRatio) {
        if (hiddenSizes.length == 0 || layersPerBlock < 1 || ffnRatio < 1) {
            throw new NasbertException("search space needs hidden sizes, >= 1 layer per block and an FFN ratio >= 1");
        }
        for (int h : hiddenSizes) {
            if (h <= 0 || h % heads(h) != 0) {
                throw new NasbertException("hidden size " + h + ": expected a positive size that h/64 heads divide");
            }
        }
        for (int k : kernels) {
            Op.sepConv(k);
        }
        this.hiddenSizes = hiddenSizes.clone();
        this.kernels = kernels.clone();
        this.layersPerBlock = layersPerBlock;
        this.ffnRatio = ffnRatio;
    }

    /** The paper's space: hidden {128, 192, 256, 384, 512}, kernels {3, 5, 7}, 6 layers per block, FFN 4h. */
    public static SearchSpace paper() {
        return new SearchSpace(new int[]{128, 192, 256, 384, 512}, new int[]{3, 5, 7}, 6, 4);
    }

    public int[] hiddenSizes() {
        return hiddenSizes.clone();
    }

    public boolean hasWidth(int hidden) {
        for (int h : hiddenSizes) {
            if (h == hidden) {
                return true;
            }
        }
        return false;
    }

    public int[] kernels() {
        return kernels.clone();
    }

    public int layersPerBlock() {
        return layersPerBlock;
    }

    public int ffnRatio() {
        return ffnRatio;
    }

    /** Heads of the MHA op at hidden size h: h/64, at least 1. */
    public static int heads(int hidden) {
        return Math.max(1, hidden / 64);
    }

    /** The operations a layer can take at one hidden size, identity excluded: MHA, FFN, then the convolutions. */
    public List<Op> operations() {
        List<Op> ops = new ArrayList<>(Arrays.asList(Op.MHA, Op.FFN));
        for (int k : kernels) {
            ops.add(Op.sepConv(k));
        }
        return Collections.unmodifiableList(ops);
    }

    /** Candidates per layer over all hidden sizes, identity counted once (the paper's 26). */
    public int candidatesPerLayer() {
        return hiddenSizes.length * operations().size() + 1;
    }

    /** Paths per block: per hidden size, sum over depth d = 1..L of ops^d. */
    public long pathsPerBlock() {
        long perHidden = 0;
        long power = 1;
        for (int d = 1; d <= layersPerBlock; d++) {
            power *= operations().size();
            perHidden += power;
        }
        return hiddenSizes.length * perHidden;
    }

    /** Every path of a block, hidden size by hidden size, shallower paths first. */
    public List<BlockPath> enumerate() {
        List<BlockPath> paths = new ArrayList<>();
        List<Op> ops = operations();
        for (int h : hiddenSizes) {
            for (int depth = 1; depth <= layersPerBlock; depth++) {
                int[] choice = new int[depth];
                do {
                    paths.add(path(h, ops, choice));
                } while (increment(choice, ops.size()));
            }
        }
        return paths;
    }

    /** A path drawn uniformly from all {@link #pathsPerBlock()} paths. */
    public BlockPath sample(Random random) {
        List<Op> ops = operations();
        long perHidden = pathsPerBlock() / hiddenSizes.length;
        int h = hiddenSizes[random.nextInt(hiddenSizes.length)];
        long r = (long) (random.nextDouble() * perHidden);
        int depth = 1;
        long power = ops.size();
        while (r >= power) {
            r -= power;
            depth++;
            power *= ops.size();
        }
        int[] choice = new int[depth];
        for (int i = 0; i < depth; i++) {
            choice[i] = random.nextInt(ops.size());
        }
        return path(h, ops, choice);
    }

    private BlockPath path(int hidden, List<Op> ops, int[] choice) {
        List<Op> layers = new ArrayList<>(layersPerBlock);
        for (int c : choice) {
            layers.add(ops.get(c));
        }
        while (layers.size() < layersPerBlock) {
            layers.add(Op.IDENTITY);
        }
        return new BlockPath(hidden, layers);
    }

    private static boolean increment(int[] digits, int base) {
        for (int i = digits.length - 1; i >= 0; i--) {
            if (++digits[i] < base) {
                return true;
            }
            digits[i] = 0;
        }
        return false;
    }

    /** Whether {@code path} belongs to this space. */
    public void check(BlockPath path) {
        if (Arrays.stream(hiddenSizes).noneMatch(h -> h == path.hidden())) {
            throw new NasbertException("block path " + path + ": hidden size " + path.hidden() + " is not one of "
                    + Arrays.toString(hiddenSizes));
        }
        if (path.ops().size() != layersPerBlock) {
            throw new NasbertException("block path " + path + ": " + path.ops().size() + " layers, the space has " + layersPerBlock);
        }
        for (Op op : path.ops()) {
            if (!op.isIdentity() && !operations().contains(op)) {
                throw new NasbertException("block path " + path + ": operation " + op + " is not in the space " + operations());
            }
        }
    }
}
