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

/**
 * Block losses of many paths on held-out data, per partition: the supernet's weights come in one broadcast,
 * every path of every block is scored on the partition's rows in batches. Returns per block
 * [sum of loss x elements per path..., the same for "copy the input", elements]; sums add across partitions.
 */
final class PathLosses implements Function2<Integer, Iterator<TrainingRow>, Iterator<double[][]>> {
    private static final long serialVersionUID = 1L;
    private final SupernetPlan plan;
    private final Broadcast<List<Map<String, float[]>>> weights;
    private final BlockPath[][] paths;
    private final int batchSize;

    PathLosses(SupernetPlan plan, Broadcast<List<Map<String, float[]>>> weights, BlockPath[][] paths, int batchSize) {
        this.plan = plan;
        this.weights = weights;
        this.paths = paths;
        this.batchSize = batchSize;
    }

    @Override
    public Iterator<double[][]> call(Integer partition, Iterator<TrainingRow> rows) {
        BigDl.singleThreadedMath();
        double[][] sums = new double[plan.blocks][];
        for (int n = 0; n < plan.blocks; n++) {
            sums[n] = new double[paths[n].length + 2];
        }
        List<TrainingRow> all = new ArrayList<>();
        rows.forEachRemaining(all::add);
        if (all.isEmpty()) {
            return Collections.singletonList(sums).iterator();
        }
        SupernetBlock[] replica = plan.build();
        for (int n = 0; n < plan.blocks; n++) {
            for (Map.Entry<String, float[]> e : weights.value().get(n).entrySet()) {
                replica[n].load(e.getKey(), e.getValue(), false);
            }
        }
        for (int start = 0; start < all.size(); start += batchSize) {
            List<TrainingRow> batch = all.subList(start, Math.min(all.size(), start + batchSize));
            StateBatch states = plan.batch(batch);
            double elements = 0;
            for (TrainingRow r : batch) {
                elements += (double) r.length * plan.teacherHidden;
            }
            for (int n = 0; n < plan.blocks; n++) {
                for (int p = 0; p < paths[n].length; p++) {
                    sums[n][p] += states.run(replica[n], n, paths[n][p], false) * elements;
                }
                sums[n][paths[n].length] += states.copyInputLoss(n) * elements;
                sums[n][paths[n].length + 1] += elements;
            }
        }
        return Collections.singletonList(sums).iterator();
    }

    static double[][] add(double[][] a, double[][] b) {
        for (int n = 0; n < a.length; n++) {
            for (int i = 0; i < a[n].length; i++) {
                a[n][i] += b[n][i];
            }
        }
        return a;
    }
}
