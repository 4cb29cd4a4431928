package org.nasbert.jobs.trainblocks;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.nasbert.NasbertException;
import org.nasbert.latency.LatencyTable;
import org.nasbert.prune.Shrinking;
import org.nasbert.prune.SizeBins;
import org.nasbert.space.BlockPath;
import org.nasbert.space.StudentSize;
import org.nasbert.supernet.SupernetBlock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * The driver's side of progressive shrinking during train-blocks: after each post-warm-up epoch, score each bin's
 * sample on the held-out sequences (spread over the cluster by path), drop the worse half, and record the round
 * in {@code shrinking/round-NN.json} (every scored path with loss, parameters, FLOPs, latency and whether it
 * stayed). A resumed run replays the recorded rounds its checkpoint had reached.
 */
final class ShrinkingRounds {
    static final String DIR = "shrinking";
    private static final Logger LOG = LoggerFactory.getLogger(ShrinkingRounds.class);

    final Shrinking state;
    private final JavaSparkContext jsc;
    private final SupernetPlan plan;
    private final Broadcast<List<TrainingRow>> rows;
    private final LatencyTable table;
    private final int sample;
    private final int keep;
    private final int batchSize;
    private final FileSystem fs;
    private final Path history;
    double secondsScoring;
    private long pathsScored;

    ShrinkingRounds(JavaSparkContext jsc, SupernetPlan plan, List<TrainingRow> evalRows, LatencyTable table, int bins,
                    int sample, int keep, int batchSize, FileSystem fs, Path history) {
        this.jsc = jsc;
        this.plan = plan;
        this.rows = jsc.broadcast(evalRows);
        this.table = table;
        this.sample = sample;
        this.keep = keep;
        this.batchSize = batchSize;
        this.fs = fs;
        this.history = history;
        this.state = Shrinking.start(plan.space, plan.blocks, table, bins);
    }

    int roundsLeft() {
        return state.roundsLeft(sample, keep);
    }

    /** Scores each bin's sample with the current weights, drops the worse half, records the round. */
    void round(int round, long step, SupernetBlock[] master) throws IOException {
        jsc.setJobDescription("nasbert train-blocks: shrinking round " + round + " after step " + (step + 1));
        long began = System.nanoTime();
        List<List<List<SizeBins.Sized<BlockPath>>>> sampled = state.sampleRound(round, sample, keep, plan.seed);
        List<List<BlockPath>> paths = flatten(sampled);
        double[][] flatScores = PathScores.blocks(jsc, plan, master, paths, rows, batchSize);
        double[][][] scores = new double[plan.blocks][][];
        int[][] before = new int[plan.blocks][state.binCount()];
        for (int n = 0; n < plan.blocks; n++) {
            scores[n] = new double[state.binCount()][];
            int at = 0;
            for (int b = 0; b < state.binCount(); b++) {
                before[n][b] = state.bin(n, b).size();
                scores[n][b] = new double[sampled.get(n).get(b).size()];
                for (int i = 0; i < scores[n][b].length; i++) {
                    scores[n][b][i] = flatScores[n][at++];
                }
            }
        }
        state.prune(sampled, scores, keep);
        secondsScoring += (System.nanoTime() - began) / 1e9;
        pathsScored += paths.stream().mapToInt(List::size).sum();
        ShrinkingRoundFile record = new ShrinkingRoundFile();
        record.round = round;
        record.afterStep = step + 1;
        record.evalSequences = rows.value().size();
        record.latencyUnits = LatencyTable.UNITS;
        int survivors = 0;
        for (int n = 0; n < plan.blocks; n++) {
            ShrinkingRoundFile.Block block = new ShrinkingRoundFile.Block();
            block.block = n;
            Set<BlockPath> kept = new HashSet<>(state.survivors(n));
            survivors += kept.size();
            for (int b = 0; b < state.binCount(); b++) {
                ShrinkingRoundFile.Bin bin = new ShrinkingRoundFile.Bin();
                bin.bin = b + 1;
                bin.pathsBefore = before[n][b];
                bin.pathsAfter = state.bin(n, b).size();
                List<SizeBins.Sized<BlockPath>> s = sampled.get(n).get(b);
                for (int i = 0; i < s.size(); i++) {
                    bin.scored.add(scored(s.get(i).path, scores[n][b][i], kept.contains(s.get(i).path)));
                }
                block.bins.add(bin);
            }
            record.blocks.add(block);
        }
        record.write(fs, history);
        LOG.info(String.format("train-blocks: shrinking round %d after step %d: %d paths scored in %.1f s, %d survive over %d blocks",
                round, step + 1, paths.stream().mapToInt(List::size).sum(), (System.nanoTime() - began) / 1e9, survivors,
                plan.blocks));
    }

    /** Re-applies rounds 1..{@code rounds} from their records (a resumed run). */
    void replay(int rounds) throws IOException {
        for (int r = 1; r <= rounds; r++) {
            Path file = new Path(history, ShrinkingRoundFile.fileName(r));
            ShrinkingRoundFile record;
            try {
                record = ShrinkingRoundFile.read(fs, file);
            } catch (IOException e) {
                throw new NasbertException("train-blocks: cannot resume shrinking: " + file + " is missing or unreadable ("
                        + e.getMessage() + "); rerun with --force", e);
            }
            for (ShrinkingRoundFile.Block block : record.blocks) {
                Set<BlockPath> dropped = new HashSet<>();
                for (ShrinkingRoundFile.Bin bin : block.bins) {
                    for (ShrinkingRoundFile.Scored p : bin.scored) {
                        if (!p.kept) {
                            dropped.add(BlockPath.parse(p.path));
                        }
                    }
                }
                state.remove(block.block, dropped);
            }
        }
    }

    private ShrinkingRoundFile.Scored scored(BlockPath path, double loss, boolean kept) {
        ShrinkingRoundFile.Scored p = describe(new ShrinkingRoundFile.Scored(), path, loss);
        p.kept = kept;
        return p;
    }

    /**
     * Every survivor scored with the final weights: what the search chooses from. A plan cut short (supernet.steps)
     * leaves bins larger than a round's sample; each is represented by a sample of that size, so the final scoring
     * costs at most one round instead of scoring every path still alive.
     */
    CandidatesFile candidates(SupernetBlock[] master) {
        jsc.setJobDescription("nasbert train-blocks: scoring the candidates left");
        List<List<List<SizeBins.Sized<BlockPath>>>> chosen = finalPaths();
        List<List<BlockPath>> paths = flatten(chosen);
        long count = paths.stream().mapToInt(List::size).sum();
        LOG.info("train-blocks: scoring {} candidate paths over {} blocks on {} held-out sequences{}", count, plan.blocks,
                rows.value().size(), pathsScored == 0 ? "" : String.format("; at the rounds' %.1f paths/s, about %.0f s",
                        pathsScored / secondsScoring, count / (pathsScored / secondsScoring)));
        double[][] scores = PathScores.blocks(jsc, plan, master, paths, rows, batchSize);
        CandidatesFile file = new CandidatesFile();
        file.evalSequences = rows.value().size();
        file.loss = "mean squared error per element against the teacher's boundary state, held-out sequences";
        file.latencyUnits = LatencyTable.UNITS;
        file.flopsSequenceLength = StudentSize.FLOPS_SEQUENCE;
        for (int n = 0; n < plan.blocks; n++) {
            CandidatesFile.Block block = new CandidatesFile.Block();
            block.block = n;
            int i = 0; // paths are listed bin by bin, as here
            for (int b = 0; b < state.binCount(); b++) {
                for (SizeBins.Sized<BlockPath> p : chosen.get(n).get(b)) {
                    block.candidates.add(candidate(p.path, scores[n][i++], b + 1));
                }
            }
            file.blocks.add(block);
        }
        return file;
    }

    /** Per block, its bins' paths one after the other. */
    private static List<List<BlockPath>> flatten(List<List<List<SizeBins.Sized<BlockPath>>>> blocks) {
        List<List<BlockPath>> out = new ArrayList<>();
        for (List<List<SizeBins.Sized<BlockPath>>> block : blocks) {
            List<BlockPath> flat = new ArrayList<>();
            for (List<SizeBins.Sized<BlockPath>> bin : block) {
                for (SizeBins.Sized<BlockPath> p : bin) {
                    flat.add(p.path);
                }
            }
            out.add(flat);
        }
        return out;
    }

    /** Per block and bin, its survivors, or a seeded sample of prune.sample (at least prune.keep) of them when more are left. */
    private List<List<List<SizeBins.Sized<BlockPath>>>> finalPaths() {
        List<List<List<SizeBins.Sized<BlockPath>>>> out = new ArrayList<>();
        for (int n = 0; n < plan.blocks; n++) {
            List<List<SizeBins.Sized<BlockPath>>> block = new ArrayList<>();
            for (int b = 0; b < state.binCount(); b++) {
                List<SizeBins.Sized<BlockPath>> bin = state.bin(n, b);
                int cap = Math.max(sample, keep); // a finished plan's bins hold at most keep
                block.add(bin.size() <= cap ? bin : SizeBins.sample(bin, cap, new Random(plan.seed * 1_000_003L - n * 101L - b)));
            }
            out.add(block);
        }
        return out;
    }

    private CandidatesFile.Candidate candidate(BlockPath path, double loss, int bin) {
        CandidatesFile.Candidate c = describe(new CandidatesFile.Candidate(), path, loss);
        c.bin = bin;
        return c;
    }

    private <T extends CandidatesFile.ScoredPath> T describe(T p, BlockPath path, double loss) {
        p.path = path.toString();
        p.loss = loss;
        p.parameters = path.parameters(plan.space.ffnRatio());
        p.flops = path.flops(plan.space.ffnRatio(), StudentSize.FLOPS_SEQUENCE);
        p.latencyMs = table.pathMs(path);
        return p;
    }

    void release() {
        PathScores.forget(rows.id());
        rows.destroy();
    }
}
