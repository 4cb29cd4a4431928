package org.nasbert.jobs.trainblocks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.nasbert.NasbertException;
import org.nasbert.io.Json;
import org.nasbert.latency.LatencyTable;
import org.nasbert.prune.Shrinking;
import org.nasbert.prune.SizeBins;
import org.nasbert.space.BlockPath;
import org.nasbert.space.StudentSize;
import org.nasbert.supernet.SupernetBlock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
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
        long began = System.nanoTime();
        List<List<List<SizeBins.Sized<BlockPath>>>> sampled = state.sampleRound(round, sample, keep, plan.seed);
        List<List<BlockPath>> paths = new ArrayList<>();
        for (List<List<SizeBins.Sized<BlockPath>>> block : sampled) {
            List<BlockPath> flat = new ArrayList<>();
            for (List<SizeBins.Sized<BlockPath>> bin : block) {
                for (SizeBins.Sized<BlockPath> p : bin) {
                    flat.add(p.path);
                }
            }
            paths.add(flat);
        }
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
        ObjectNode json = Json.MAPPER.createObjectNode();
        json.put("round", round);
        json.put("after_step", step + 1);
        json.put("eval_sequences", rows.value().size());
        json.put("latency_units", LatencyTable.UNITS);
        ArrayNode blocks = json.putArray("blocks");
        int survivors = 0;
        for (int n = 0; n < plan.blocks; n++) {
            ArrayNode bins = blocks.addObject().put("block", n).putArray("bins");
            Set<BlockPath> kept = new HashSet<>(state.survivors(n));
            survivors += kept.size();
            for (int b = 0; b < state.binCount(); b++) {
                ObjectNode bin = bins.addObject();
                bin.put("bin", b + 1);
                bin.put("paths_before", before[n][b]);
                bin.put("paths_after", state.bin(n, b).size());
                ArrayNode list = bin.putArray("scored");
                List<SizeBins.Sized<BlockPath>> s = sampled.get(n).get(b);
                for (int i = 0; i < s.size(); i++) {
                    describe(list.addObject(), s.get(i).path, scores[n][b][i]).put("kept", kept.contains(s.get(i).path));
                }
            }
        }
        fs.mkdirs(history);
        SupernetCheckpoint.writeJson(fs, new Path(history, String.format("round-%02d.json", round)), json);
        LOG.info(String.format("train-blocks: shrinking round %d after step %d: %d paths scored in %.1f s, %d survive over %d blocks",
                round, step + 1, paths.stream().mapToInt(List::size).sum(), (System.nanoTime() - began) / 1e9, survivors,
                plan.blocks));
    }

    /** Re-applies rounds 1..{@code rounds} from their records (a resumed run). */
    void replay(int rounds) throws IOException {
        for (int r = 1; r <= rounds; r++) {
            Path file = new Path(history, String.format("round-%02d.json", r));
            JsonNode json;
            try (InputStream in = fs.open(file)) {
                json = Json.MAPPER.readTree(in);
            } catch (IOException e) {
                throw new NasbertException("train-blocks: cannot resume shrinking: " + file + " is missing or unreadable ("
                        + e.getMessage() + "); rerun with --force", e);
            }
            for (JsonNode block : json.path("blocks")) {
                Set<BlockPath> dropped = new HashSet<>();
                for (JsonNode bin : block.path("bins")) {
                    for (JsonNode p : bin.path("scored")) {
                        if (!p.path("kept").asBoolean()) {
                            dropped.add(BlockPath.parse(p.path("path").asText()));
                        }
                    }
                }
                state.remove(block.path("block").asInt(), dropped);
            }
        }
    }

    /** Every survivor scored with the final weights: what the search chooses from. */
    ObjectNode candidates(SupernetBlock[] master) {
        List<List<BlockPath>> paths = new ArrayList<>();
        for (int n = 0; n < plan.blocks; n++) {
            paths.add(state.survivors(n));
        }
        double[][] scores = PathScores.blocks(jsc, plan, master, paths, rows, batchSize);
        ObjectNode json = Json.MAPPER.createObjectNode();
        json.put("eval_sequences", rows.value().size());
        json.put("loss", "mean squared error per element against the teacher's boundary state, held-out sequences");
        json.put("latency_units", LatencyTable.UNITS);
        json.put("flops_sequence_length", StudentSize.FLOPS_SEQUENCE);
        ArrayNode blocks = json.putArray("blocks");
        for (int n = 0; n < plan.blocks; n++) {
            ArrayNode list = blocks.addObject().put("block", n).putArray("candidates");
            int i = 0; // survivors are listed bin by bin, as here
            for (int b = 0; b < state.binCount(); b++) {
                for (SizeBins.Sized<BlockPath> p : state.bin(n, b)) {
                    describe(list.addObject(), p.path, scores[n][i++]).put("bin", b + 1);
                }
            }
        }
        return json;
    }

    private ObjectNode describe(ObjectNode node, BlockPath path, double loss) {
        node.put("path", path.toString());
        node.put("loss", loss);
        node.put("parameters", path.parameters(plan.space.ffnRatio()));
        node.put("flops", path.flops(plan.space.ffnRatio(), StudentSize.FLOPS_SEQUENCE));
        node.put("latency_ms", table.pathMs(path));
        return node;
    }

    void release() {
        PathScores.forget(rows.id());
        rows.destroy();
    }
}
