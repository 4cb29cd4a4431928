package org.nasbert.jobs.trainblocks;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.nasbert.engine.BigDl;
import org.nasbert.space.BlockPath;
import org.nasbert.supernet.BlockChain;
import org.nasbert.supernet.StateBatch;
import org.nasbert.supernet.SupernetBlock;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Held-out losses of many chains of block paths (one path: its block's loss; one per block from boundary 0: a
 * whole student's), spread over the cluster by chain: pruning scores thousands of paths and the search dozens
 * of students on the same few batches, so the sequences and the weights are broadcast once and each task takes
 * a share of the chains. An executor decodes (or computes, teacher on the fly) the batches once per broadcast.
 */
final class PathScores {
    /** Decoded batches per broadcast of sequences, shared by the executor's tasks (scoring only reads them). */
    private static final Map<Long, List<StateBatch>> BATCHES = new ConcurrentHashMap<>();

    private PathScores() {
    }

    /** Block losses of each block's paths, {@code [block][path]}. */
    static double[][] blocks(JavaSparkContext jsc, SupernetPlan plan, SupernetBlock[] master, List<List<BlockPath>> paths,
                             Broadcast<List<TrainingRow>> rows, int batchSize) {
        List<BlockChain> chains = new ArrayList<>();
        for (int n = 0; n < paths.size(); n++) {
            for (BlockPath p : paths.get(n)) {
                chains.add(BlockChain.of(n, p));
            }
        }
        double[] flat = score(jsc, plan, master, chains, rows, batchSize);
        double[][] out = new double[paths.size()][];
        int at = 0;
        for (int n = 0; n < paths.size(); n++) {
            out[n] = new double[paths.get(n).size()];
            for (int i = 0; i < out[n].length; i++) {
                out[n][i] = flat[at++];
            }
        }
        return out;
    }

    /**
     * Mean loss per element of each chain on {@code rows} (batched by {@code batchSize}, every batch weighing by its
     * tokens), in the chains' order.
     */
    static double[] score(JavaSparkContext jsc, SupernetPlan plan, SupernetBlock[] master, List<BlockChain> chains,
                          Broadcast<List<TrainingRow>> rows, int batchSize) {
        if (chains.isEmpty()) {
            return new double[0];
        }
        List<Map<String, float[]>> weights = new ArrayList<>();
        for (int n = 0; n < plan.blocks; n++) {
            weights.add(new LinkedHashMap<>());
        }
        List<Object[]> jobs = new ArrayList<>();
        for (int i = 0; i < chains.size(); i++) {
            BlockChain c = chains.get(i);
            for (int k = 0; k < c.paths.size(); k++) {
                SupernetBlock block = master[c.first + k];
                for (String g : block.groupsOf(c.paths.get(k))) {
                    weights.get(c.first + k).computeIfAbsent(g, name -> block.flatten(name, false));
                }
            }
            jobs.add(new Object[]{i, c});
        }
        // neighbours share prefixes, and a slice is a contiguous range: sorted, a task reuses block outputs
        jobs.sort(Comparator.comparing(j -> ((BlockChain) j[1]).sortKey()));
        Broadcast<List<Map<String, float[]>>> shared = jsc.broadcast(weights);
        int slices = Math.max(1, Math.min(jobs.size(), 2 * jsc.defaultParallelism()));
        List<double[]> results = jsc.parallelize(jobs, slices).mapPartitions(new Task(plan, shared, rows, batchSize)).collect();
        shared.destroy();
        double[] out = new double[chains.size()];
        for (double[] r : results) {
            out[(int) r[0]] = r[1];
        }
        return out;
    }

    private static final class Task implements FlatMapFunction<Iterator<Object[]>, double[]> {
        private static final long serialVersionUID = 1L;
        private final SupernetPlan plan;
        private final Broadcast<List<Map<String, float[]>>> weights;
        private final Broadcast<List<TrainingRow>> rows;
        private final int batchSize;

        Task(SupernetPlan plan, Broadcast<List<Map<String, float[]>>> weights, Broadcast<List<TrainingRow>> rows, int batchSize) {
            this.plan = plan;
            this.weights = weights;
            this.rows = rows;
            this.batchSize = batchSize;
        }

        @Override
        public Iterator<double[]> call(Iterator<Object[]> jobs) {
            BigDl.singleThreadedMath();
            List<Object[]> mine = new ArrayList<>();
            jobs.forEachRemaining(mine::add);
            List<double[]> out = new ArrayList<>();
            if (mine.isEmpty()) {
                return out.iterator();
            }
            List<StateBatch> batches = batches(plan, rows, batchSize);
            long tokens = 0;
            for (StateBatch b : batches) {
                tokens += b.tokens();
            }
            SupernetBlock[] replica = new SupernetBlock[plan.blocks];
            for (Object[] job : mine) {
                BlockChain chain = (BlockChain) job[1];
                for (int k = 0; k < chain.paths.size(); k++) {
                    int n = chain.first + k;
                    if (replica[n] == null) {
                        replica[n] = plan.build(n);
                        for (Map.Entry<String, float[]> e : weights.value().get(n).entrySet()) {
                            replica[n].load(e.getKey(), e.getValue(), false);
                        }
                    }
                }
            }
            List<BlockChain> chains = new ArrayList<>();
            for (Object[] job : mine) {
                chains.add((BlockChain) job[1]);
            }
            double[] losses = new double[mine.size()];
            for (StateBatch b : batches) {
                double[] batchLosses = b.chainedLosses(replica, chains);
                for (int j = 0; j < losses.length; j++) {
                    losses[j] += batchLosses[j] * b.tokens() / tokens;
                }
            }
            for (int j = 0; j < mine.size(); j++) {
                out.add(new double[]{(Integer) mine.get(j)[0], losses[j]});
            }
            return out.iterator();
        }
    }

    /** Drops this JVM's batches of a finished broadcast (executors' go with the application). */
    static void forget(long rowsBroadcast) {
        BATCHES.remove(rowsBroadcast);
    }

    private static List<StateBatch> batches(SupernetPlan plan, Broadcast<List<TrainingRow>> rows, int batchSize) {
        BATCHES.keySet().removeIf(k -> k < rows.id()); // an earlier run's batches are done with
        return BATCHES.computeIfAbsent(rows.id(), id -> {
            List<TrainingRow> all = rows.value();
            List<StateBatch> out = new ArrayList<>();
            for (int from = 0; from < all.size(); from += batchSize) {
                out.add(plan.batch(all.subList(from, Math.min(all.size(), from + batchSize))));
            }
            return out;
        });
    }
}
