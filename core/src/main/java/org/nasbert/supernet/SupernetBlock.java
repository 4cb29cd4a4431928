package org.nasbert.supernet;

import com.intel.analytics.bigdl.tensor.Tensor;
import com.intel.analytics.bigdl.utils.Table;
import org.nasbert.engine.BigDl;
import org.nasbert.nn.ActivationPool;
import org.nasbert.nn.Dense;
import org.nasbert.nn.Parameterized;
import org.nasbert.nn.Tensors;
import org.nasbert.space.BlockPath;
import org.nasbert.space.Op;
import org.nasbert.space.SearchSpace;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * One block of the weight-sharing supernet: for every hidden size h of the space, a projection from the
 * teacher's hidden size to h and back, and for every layer every candidate op at h (identity has no weights).
 * Every path through the block uses the projections of its h and the op modules it names, so a candidate's
 * weights are shared by all paths that use it. A step runs forward and backward through the path's modules
 * only: its cost is the path's, and every other candidate's weights and gradients are untouched.
 * Parameter groups (the unit of shipping and of optimiser state) are named {@code h256.in}, {@code h256.out},
 * {@code h256.l3.sep5}.
 */
public final class SupernetBlock {
    private final SearchSpace space;
    private final int teacherHidden;
    private final Map<String, Parameterized<?>> groups = new LinkedHashMap<>();

    public SupernetBlock(SearchSpace space, int teacherHidden, long seed) {
        this.space = space;
        this.teacherHidden = teacherHidden;
        Random random = new Random(seed);
        for (int h : space.hiddenSizes()) {
            groups.put(inName(h), new Dense(teacherHidden, h, random));
            groups.put(outName(h), new Dense(h, teacherHidden, random));
            for (int layer = 0; layer < space.layersPerBlock(); layer++) {
                for (Op op : space.operations()) {
                    groups.put(opName(h, layer, op), OpModules.build(op, h, space.ffnRatio(), random));
                }
            }
        }
    }

    public SearchSpace space() {
        return space;
    }

    public int teacherHidden() {
        return teacherHidden;
    }

    public static String inName(int h) {
        return "h" + h + ".in";
    }

    public static String outName(int h) {
        return "h" + h + ".out";
    }

    public static String opName(int h, int layer, Op op) {
        return "h" + h + ".l" + layer + "." + op;
    }

    /** Every parameter group's name, in a fixed order. */
    public List<String> groupNames() {
        return new ArrayList<>(groups.keySet());
    }

    /** The groups a path uses: its projections and its non-identity ops. */
    public List<String> groupsOf(BlockPath path) {
        space.check(path);
        List<String> names = new ArrayList<>();
        names.add(inName(path.hidden()));
        for (int layer = 0; layer < path.ops().size(); layer++) {
            Op op = path.ops().get(layer);
            if (!op.isIdentity()) {
                names.add(opName(path.hidden(), layer, op));
            }
        }
        names.add(outName(path.hidden()));
        return names;
    }

    public Parameterized<?> group(String name) {
        Parameterized<?> module = groups.get(name);
        if (module == null) {
            throw new IllegalArgumentException("no parameter group " + name);
        }
        return module;
    }

    /**
     * The weights a block of {@code space} holds, without building it (the paper's space holds about 50M per block at
     * a 384-wide teacher): every width's projections in and out of the teacher's width and every op of every layer.
     */
    public static long parameterCount(SearchSpace space, int teacherHidden) {
        long n = 0;
        for (int h : space.hiddenSizes()) {
            n += 2L * teacherHidden * h + h + teacherHidden;
            for (Op op : space.operations()) {
                n += space.layersPerBlock() * op.parameters(h, space.ffnRatio());
            }
        }
        return n;
    }

    /** All weights of the block (every candidate), for parameter counts. */
    public long parameterCount() {
        long n = 0;
        for (Parameterized<?> m : groups.values()) {
            n += m.parameterCount();
        }
        return n;
    }

    /**
     * Mean squared error between the path's output for {@code input} and {@code target} over the real tokens
     * (mask 1), per element; with {@code backward}, the gradients of that loss are accumulated into the path's
     * groups (zero them first with {@link #zeroGradients}).
     */
    public double run(BlockPath path, Tensor<Float> input, Tensor<Float> mask, Tensor<Float> target, boolean backward) {
        return run(path, input, mask, target, backward ? 1 : 0);
    }

    /**
     * As {@link #run(BlockPath, Tensor, Tensor, Tensor, boolean)}, with the accumulated gradients those of
     * {@code gradientScale} times the loss (0: forward only). A batch split into micro-batches scales each by its
     * share of the tokens, so their gradients add up to the whole batch's.
     */
    public double run(BlockPath path, Tensor<Float> input, Tensor<Float> mask, Tensor<Float> target, double gradientScale) {
        boolean backward = gradientScale != 0;
        List<String> names = groupsOf(path);
        try (ActivationPool.Scope scope = ActivationPool.activate()) {
            List<Table> inputs = new ArrayList<>();
            Dense in = (Dense) group(names.get(0));
            Tensor<Float> h = in.forward(input);
            for (String name : names.subList(1, names.size() - 1)) {
                Table t = Tensors.table(h, mask);
                inputs.add(t);
                h = op(name).forward(t);
            }
            Dense out = (Dense) group(names.get(names.size() - 1));
            Tensor<Float> y = out.forward(h);
            Tensor<Float> gradY = Tensors.resize(Tensors.empty(), y.size());
            double loss = meanSquaredError(y, target, mask, gradY, gradientScale);
            if (backward) {
                Tensor<Float> d = out.backward(h, gradY);
                for (int i = names.size() - 2; i >= 1; i--) {
                    d = Tensors.tensorAt((Table) op(names.get(i)).backward(inputs.get(i - 1), d), 1);
                }
                in.backward(input, d);
            }
            // Activations are per call: a supernet touches many modules over many paths, and keeping every
            // module's buffers would hold gigabytes (gradients, which are parameters, stay). Their arrays go
            // back to the thread's pool for the next step.
            for (String name : names) {
                group(name).clearState();
            }
            ActivationPool.recycle(Tensors.data(gradY));
            return loss;
        }
    }

    /**
     * The path's output for {@code input} (teacher width in and out), as a tensor of its own: chaining the blocks
     * of a student from the teacher's embeddings predicts the teacher's last hidden state.
     */
    public Tensor<Float> forward(BlockPath path, Tensor<Float> input, Tensor<Float> mask) {
        List<String> names = groupsOf(path);
        try (ActivationPool.Scope scope = ActivationPool.activate()) {
            Tensor<Float> h = ((Dense) group(names.get(0))).forward(input);
            for (String name : names.subList(1, names.size() - 1)) {
                h = op(name).forward(Tensors.table(h, mask));
            }
            Tensor<Float> y = ((Dense) group(names.get(names.size() - 1))).forward(h);
            // a copy outside the pool: the modules' arrays go back to it below
            int[] shape = y.size();
            float[] copy = Tensors.copyOf(y);
            for (String name : names) {
                group(name).clearState(); // empties y too
            }
            return BigDl.tensor(copy, shape);
        }
    }

    @SuppressWarnings("unchecked")
    private Parameterized<Table> op(String name) {
        return (Parameterized<Table>) group(name);
    }

    private List<Tensor<Float>> tensors(String name, boolean gradients) {
        return gradients ? Arrays.asList(group(name).parameters()._2()) : group(name).weightTensors();
    }

    /** The group's weights (or gradients) concatenated, in the module's parameter order. */
    public float[] flatten(String name, boolean gradients) {
        List<Tensor<Float>> tensors = tensors(name, gradients);
        int n = 0;
        for (Tensor<Float> t : tensors) {
            n += t.nElement();
        }
        float[] out = new float[n];
        int at = 0;
        for (Tensor<Float> t : tensors) {
            Tensor<Float> d = Tensors.dense(t);
            System.arraycopy(Tensors.data(d), Tensors.offset(d), out, at, d.nElement());
            at += d.nElement();
        }
        return out;
    }

    /** Overwrites the group's weights (or gradients) with {@code values}, laid out as {@link #flatten} does. */
    public void load(String name, float[] values, boolean gradients) {
        int at = 0;
        for (Tensor<Float> t : tensors(name, gradients)) {
            if (!t.isContiguous()) {
                throw new IllegalStateException(name + ": weights must be contiguous");
            }
            System.arraycopy(values, at, Tensors.data(t), Tensors.offset(t), t.nElement());
            at += t.nElement();
        }
        if (at != values.length) {
            throw new IllegalArgumentException(name + ": " + values.length + " values for " + at + " weights");
        }
    }

    /** Sets the gradients of the named groups to zero. */
    public void zeroGradients(List<String> names) {
        for (String name : names) {
            group(name).zeroGradParameters();
        }
    }

    /** MSE over masked positions; writes d(loss)/d(y) into {@code grad}. */
    public static double meanSquaredError(Tensor<Float> y, Tensor<Float> target, Tensor<Float> mask, Tensor<Float> grad) {
        return meanSquaredError(y, target, mask, grad, 1);
    }

    /** The loss, and in {@code grad} the gradient of {@code scale} times it. */
    static double meanSquaredError(Tensor<Float> y, Tensor<Float> target, Tensor<Float> mask, Tensor<Float> grad, double scale) {
        Tensor<Float> t = Tensors.dense(target);
        Tensor<Float> m = Tensors.dense(mask);
        float[] ys = Tensors.data(y);
        float[] ts = Tensors.data(t);
        float[] ms = Tensors.data(m);
        float[] gs = Tensors.data(grad);
        int width = y.size(y.dim());
        int rows = y.nElement() / width;
        double tokens = 0;
        for (int r = 0; r < rows; r++) {
            tokens += ms[Tensors.offset(m) + r];
        }
        double count = Math.max(1, tokens) * width;
        double factor = 2 * scale / count;
        double sum = 0;
        for (int r = 0; r < rows; r++) {
            float w = ms[Tensors.offset(m) + r];
            for (int c = 0; c < width; c++) {
                int i = r * width + c;
                double diff = ys[Tensors.offset(y) + i] - ts[Tensors.offset(t) + i];
                sum += w * diff * diff;
                gs[Tensors.offset(grad) + i] = (float) (factor * w * diff);
            }
        }
        return sum / count;
    }
}
