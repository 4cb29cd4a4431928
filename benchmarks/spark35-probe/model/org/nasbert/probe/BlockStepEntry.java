package org.nasbert.probe;

import com.intel.analytics.bigdl.tensor.Tensor;
import org.nasbert.engine.BigDl;
import org.nasbert.space.BlockPath;
import org.nasbert.space.SearchSpace;
import org.nasbert.supernet.GroupOptimizer;
import org.nasbert.supernet.StateBatch;
import org.nasbert.supernet.SupernetBlock;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

/**
 * The model layer's side of the seam: a train-blocks step (one supernet block forward and backward on a path,
 * then an Adam step of BigDL's optimiser through the Scala 2.11 library) behind a JDK interface, so that code
 * compiled against another Scala can call it with Java arrays only.
 *
 * <p>{@code apply(new Object[]{seed, rows, seq})}: makes the step's teacher states from the seed, runs the step,
 * returns {@code {loss (Double), checksum of the updated weights (Double), nanoseconds (Long), MKL loaded (Boolean)}}; an empty array
 * returns an empty array (the seam's own cost). The step is deterministic: same seed, same numbers.
 */
public final class BlockStepEntry implements Function<Object[], Object[]> {
    static final int TEACHER_HIDDEN = 384;
    static final SearchSpace SPACE = new SearchSpace(new int[]{128, 256}, new int[]{3}, 4, 4);
    static final BlockPath PATH = BlockPath.parse("256:mha,ffn,sep3,ffn");

    @Override
    public Object[] apply(Object[] in) {
        if (in.length == 0) {
            return in;
        }
        long seed = (Long) in[0];
        int rows = (Integer) in[1];
        int seq = (Integer) in[2];
        long start = System.nanoTime();
        BigDl.singleThreadedMath();
        SupernetBlock block = new SupernetBlock(SPACE, TEACHER_HIDDEN, 7);
        Random random = new Random(seed);
        int[] lengths = new int[rows];
        float[][][] states = new float[2][rows][];
        for (int b = 0; b < rows; b++) {
            lengths[b] = seq / 2 + random.nextInt(seq / 2 + 1);
            for (int n = 0; n < 2; n++) {
                states[n][b] = new float[lengths[b] * TEACHER_HIDDEN];
                for (int i = 0; i < states[n][b].length; i++) {
                    states[n][b][i] = (float) random.nextGaussian();
                }
            }
        }
        List<String> active = block.groupsOf(PATH);
        block.zeroGradients(active);
        double loss = new StateBatch(lengths, states, TEACHER_HIDDEN).run(block, 0, PATH, true);
        GroupOptimizer adam = new GroupOptimizer(0.9, 0.999, 1e-8);
        double checksum = 0;
        for (String g : active) {
            List<Tensor<Float>> weights = block.group(g).weightTensors();
            adam.step(g, weights, Arrays.asList(block.group(g).parameters()._2()), 1e-3);
            for (float w : block.flatten(g, false)) {
                checksum += w;
            }
        }
        return new Object[]{loss, checksum, System.nanoTime() - start, BigDl.mklLoaded()};
    }

    /** The reference: the same steps in a plain JVM of the model layer's own classpath (no Spark 3.5, no loader). */
    public static void main(String[] args) {
        BlockStepEntry entry = new BlockStepEntry();
        int rows = Integer.parseInt(args[1]);
        int seq = Integer.parseInt(args[2]);
        for (int i = 0; i < Integer.parseInt(args[0]); i++) {
            Object[] out = entry.apply(new Object[]{(long) i, rows, seq});
            System.out.println("seed " + i + " loss " + out[0] + " checksum " + out[1] + " ms " + ((Long) out[2]) / 1e6 + " mkl " + out[3]);
        }
    }
}
