package org.nasbert.jobs.trainblocks;

import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import org.nasbert.engine.BigDl;
import org.nasbert.space.BlockPath;
import org.nasbert.supernet.StateBatch;
import org.nasbert.supernet.SupernetBlock;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One training step on one partition: the partition's supernet replica (built once per partition and kept in
 * the executor) takes the step's active weights, runs each block's path forward and backward on a minibatch
 * drawn from the partition's rows, and returns only the active groups' gradients.
 */
final class TrainStep implements Function2<Integer, Iterator<TrainingRow>, Iterator<StepResult>> {
    private static final long serialVersionUID = 1L;
    private static final Map<String, SupernetBlock[]> REPLICAS = new ConcurrentHashMap<>();

    private final SupernetPlan plan;
    private final String replicaKey;
    private final long step;
    private final int rowsPerPartition;
    private final int microBatch;
    private final BlockPath[] paths;
    /**
     * The active groups' weights, [block][group][value]: a broadcast, not a field, so that the task's closure stays small
     * (Spark serialises a closure twice on the driver, to check it and to ship it, with Java serialisation) and each
     * executor fetches the weights once per step through its block manager.
     */
    private final Broadcast<float[][][]> weights;
    private final long weightBytes;

    TrainStep(SupernetPlan plan, String replicaKey, long step, int rowsPerPartition, int microBatch, BlockPath[] paths,
              Broadcast<float[][][]> weights) {
        this.microBatch = microBatch;
        this.plan = plan;
        this.replicaKey = replicaKey;
        this.step = step;
        this.rowsPerPartition = rowsPerPartition;
        this.paths = paths;
        this.weights = weights;
        long n = 0;
        for (float[][] block : weights.value()) {
            for (float[] w : block) {
                n += 4L * w.length;
            }
        }
        this.weightBytes = n;
    }

    /** Bytes of weights shipped to each partition. */
    long weightBytes() {
        return weightBytes;
    }

    /** Frees the step's weights on the driver and the executors once the step's job has ended. */
    void release() {
        weights.destroy();
    }

    static void forget(String replicaKey) {
        REPLICAS.keySet().removeIf(k -> k.startsWith(replicaKey + "/"));
    }

    @Override
    public Iterator<StepResult> call(Integer partition, Iterator<TrainingRow> rows) {
        List<TrainingRow> local = new ArrayList<>();
        rows.forEachRemaining(local::add);
        if (local.isEmpty()) {
            return Collections.singletonList(StepResult.empty()).iterator();
        }
        BigDl.singleThreadedMath();
        SupernetBlock[] replica = REPLICAS.computeIfAbsent(replicaKey + "/" + partition, k -> plan.build());
        Random random = new Random(plan.seed * 31 + step * 1_000_003L + partition);
        List<TrainingRow> batch = new ArrayList<>(rowsPerPartition);
        for (int i = 0; i < rowsPerPartition; i++) {
            batch.add(local.get(random.nextInt(local.size())));
        }
        List<StateBatch> chunks = new ArrayList<>();
        long tokens = 0;
        for (int from = 0; from < batch.size(); from += microBatch) {
            StateBatch chunk = plan.batch(batch.subList(from, Math.min(batch.size(), from + microBatch)));
            chunks.add(chunk);
            tokens += chunk.tokens();
        }
        float[][][] weights = this.weights.value();
        StepResult result = new StepResult();
        result.partitions = 1;
        result.loss = new double[plan.blocks];
        result.gradients = new float[plan.blocks][][];
        for (int n = 0; n < plan.blocks; n++) {
            SupernetBlock block = replica[n];
            List<String> active = block.groupsOf(paths[n]);
            for (int g = 0; g < active.size(); g++) {
                block.load(active.get(g), weights[n][g], false);
            }
            block.zeroGradients(active);
            // each micro-batch weighted by its share of the tokens: loss and gradients are the whole batch's
            for (StateBatch chunk : chunks) {
                double share = (double) chunk.tokens() / tokens;
                result.loss[n] += share * chunk.run(block, n, paths[n], share);
            }
            result.gradients[n] = new float[active.size()][];
            for (int g = 0; g < active.size(); g++) {
                result.gradients[n][g] = block.flatten(active.get(g), true);
            }
        }
        return Collections.singletonList(result).iterator();
    }
}
