package org.nasbert.prune;

import org.nasbert.NasbertException;

import org.nasbert.latency.LatencyTable;
import org.nasbert.space.BlockPath;
import org.nasbert.space.SearchSpace;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Progressive shrinking's state (NAS-BERT §3.2.2): per block, the surviving paths in their size bins. It starts
 * from every path of the space binned by parameters and latency (paths fitting no bin are gone), gives training
 * a uniformly drawn survivor, and after each post-warm-up epoch drops the worse half of each bin's scored sample.
 */
public final class Shrinking {
    private final List<List<List<SizeBins.Sized<BlockPath>>>> bins;
    private final List<List<BlockPath>> survivors = new ArrayList<>();
    private final int deletedOutsideBins;
    private final int pathsPerBlock;

    private Shrinking(List<List<List<SizeBins.Sized<BlockPath>>>> bins, int deletedOutsideBins, int pathsPerBlock) {
        this.bins = bins;
        this.deletedOutsideBins = deletedOutsideBins;
        this.pathsPerBlock = pathsPerBlock;
        refresh();
    }

    /** Every path of the space in {@code binCount} bins, the same for each of {@code blocks} blocks. */
    public static Shrinking start(SearchSpace space, int blocks, LatencyTable table, int binCount) {
        List<SizeBins.Sized<BlockPath>> sized = new ArrayList<>();
        for (BlockPath p : space.enumerate()) {
            sized.add(new SizeBins.Sized<>(p, p.parameters(space.ffnRatio()), table.pathMs(p)));
        }
        List<List<SizeBins.Sized<BlockPath>>> assigned = SizeBins.assign(sized, binCount);
        int kept = 0;
        for (List<SizeBins.Sized<BlockPath>> bin : assigned) {
            kept += bin.size();
        }
        if (kept == 0) {
            throw new NasbertException("shrinking: none of the " + sized.size() + " paths per block has its latency in the same of the "
                    + binCount + " bins as its size (prune.bins): the latency table does not order paths like their parameter "
                    + "counts; use fewer bins, or measure the table with more latency.runs");
        }
        List<List<List<SizeBins.Sized<BlockPath>>>> perBlock = new ArrayList<>();
        for (int n = 0; n < blocks; n++) {
            List<List<SizeBins.Sized<BlockPath>>> copy = new ArrayList<>();
            for (List<SizeBins.Sized<BlockPath>> bin : assigned) {
                copy.add(new ArrayList<>(bin));
            }
            perBlock.add(copy);
        }
        return new Shrinking(perBlock, sized.size() - kept, sized.size());
    }

    private void refresh() {
        survivors.clear();
        for (List<List<SizeBins.Sized<BlockPath>>> block : bins) {
            List<BlockPath> all = new ArrayList<>();
            for (List<SizeBins.Sized<BlockPath>> bin : block) {
                for (SizeBins.Sized<BlockPath> p : bin) {
                    all.add(p.path);
                }
            }
            survivors.add(all);
        }
    }

    public int blocks() {
        return bins.size();
    }

    public int binCount() {
        return bins.get(0).size();
    }

    /** Paths of a block that fit no bin and were deleted before training. */
    public int deletedOutsideBins() {
        return deletedOutsideBins;
    }

    public int pathsPerBlock() {
        return pathsPerBlock;
    }

    public List<SizeBins.Sized<BlockPath>> bin(int block, int bin) {
        return bins.get(block).get(bin);
    }

    public List<BlockPath> survivors(int block) {
        return survivors.get(block);
    }

    /** A survivor of the block drawn uniformly: the path a training step trains. */
    public BlockPath sample(int block, Random random) {
        List<BlockPath> all = survivors.get(block);
        return all.get(random.nextInt(all.size()));
    }

    /** Rounds still needed until every bin of every block is down to {@code keep}. */
    public int roundsLeft(int sample, int keep) {
        int rounds = 0;
        for (List<List<SizeBins.Sized<BlockPath>>> block : bins) {
            for (List<SizeBins.Sized<BlockPath>> bin : block) {
                rounds = Math.max(rounds, SizeBins.roundsToKeep(bin.size(), sample, keep));
            }
        }
        return rounds;
    }

    /**
     * Paths left over all blocks after {@code rounds} more rounds (a round's outcome is its size, not which paths),
     * counting at most {@code cap} per bin.
     */
    public long survivorsAfter(int rounds, int sample, int keep, int cap) {
        long left = 0;
        for (List<List<SizeBins.Sized<BlockPath>>> block : bins) {
            for (List<SizeBins.Sized<BlockPath>> bin : block) {
                int size = bin.size();
                for (int r = 0; r < rounds && size > keep; r++) {
                    size = SizeBins.afterRound(size, sample, keep);
                }
                left += Math.min(size, cap);
            }
        }
        return left;
    }

    /** The paths round {@code round} scores: per block, per bin above {@code keep}, a sample of at most {@code sample}. */
    public List<List<List<SizeBins.Sized<BlockPath>>>> sampleRound(int round, int sample, int keep, long seed) {
        List<List<List<SizeBins.Sized<BlockPath>>>> out = new ArrayList<>();
        for (int n = 0; n < bins.size(); n++) {
            List<List<SizeBins.Sized<BlockPath>>> block = new ArrayList<>();
            for (int b = 0; b < bins.get(n).size(); b++) {
                List<SizeBins.Sized<BlockPath>> bin = bins.get(n).get(b);
                Random random = new Random(seed * 1_000_003L + round * 10_007L + n * 101L + b);
                block.add(bin.size() <= keep ? new ArrayList<>() : SizeBins.sample(bin, sample, random));
            }
            out.add(block);
        }
        return out;
    }

    /** Drops the worse half of each scored sample ({@code scores[block][bin][i]} for the sample's i-th path). */
    public void prune(List<List<List<SizeBins.Sized<BlockPath>>>> sampled, double[][][] scores, int keep) {
        for (int n = 0; n < bins.size(); n++) {
            for (int b = 0; b < bins.get(n).size(); b++) {
                List<SizeBins.Sized<BlockPath>> bin = bins.get(n).get(b);
                bins.get(n).set(b, SizeBins.dropWorst(bin, sampled.get(n).get(b), scores[n][b], keep));
            }
        }
        refresh();
    }

    /** Replays a recorded round: the named paths of the block leave their bins. */
    public void remove(int block, Set<BlockPath> dropped) {
        Set<BlockPath> gone = new HashSet<>(dropped);
        for (int b = 0; b < bins.get(block).size(); b++) {
            List<SizeBins.Sized<BlockPath>> kept = new ArrayList<>();
            for (SizeBins.Sized<BlockPath> p : bins.get(block).get(b)) {
                if (!gone.contains(p.path)) {
                    kept.add(p);
                }
            }
            bins.get(block).set(b, kept);
        }
        refresh();
    }
}
