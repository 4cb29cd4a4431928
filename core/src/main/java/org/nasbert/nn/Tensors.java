package org.nasbert.nn;

import com.intel.analytics.bigdl.tensor.Tensor;
import com.intel.analytics.bigdl.tensor.Tensor$;
import com.intel.analytics.bigdl.utils.T$;
import com.intel.analytics.bigdl.utils.Table;
import org.nasbert.engine.BigDl;

/** Raw access to BigDL float tensors, for layers that do their arithmetic on the backing arrays. */
public final class Tensors {
    private Tensors() {
    }

    public static Tensor<Float> empty() {
        return Tensor$.MODULE$.apply(BigDl.FLOAT, BigDl.NUMERIC);
    }

    public static Tensor<Float> zeros(int... shape) {
        return empty().resize(shape, null).zero();
    }

    /** The backing array of a contiguous tensor; index it from {@link #offset}. */
    public static float[] data(Tensor<Float> t) {
        return (float[]) t.storage().array();
    }

    /** BigDL's storage offsets are 1-based. */
    public static int offset(Tensor<Float> t) {
        return t.storageOffset() - 1;
    }

    /** {@code t} itself when contiguous, else a contiguous copy. */
    public static Tensor<Float> dense(Tensor<Float> t) {
        return t.isContiguous() ? t : t.contiguous();
    }

    /**
     * Resizes {@code t} to {@code shape}, reusing its storage when large enough, else (inside an
     * {@link ActivationPool#activate} scope) an array of the pool's. Contents are unspecified.
     */
    /** The tensor's values as an array of their own, in row-major order. */
    public static float[] copyOf(Tensor<Float> t) {
        Tensor<Float> d = dense(t);
        float[] out = new float[d.nElement()];
        System.arraycopy(data(d), offset(d), out, 0, out.length);
        return out;
    }

    public static Tensor<Float> resize(Tensor<Float> t, int... shape) {
        if (ActivationPool.active() != null) {
            long n = 1;
            for (int d : shape) {
                n *= d;
            }
            if (capacity(t) < n) {
                return t.set(BigDl.tensor(ActivationPool.floats(Math.toIntExact(n)), shape));
            }
        }
        return t.resize(shape, null);
    }

    private static long capacity(Tensor<Float> t) {
        return t.storage() == null ? 0 : t.storage().length() - offset(t);
    }

    /** Rows {@code x[batch[i], position[i], :]} of a [batch, seq, width] tensor as a new [n, width] tensor. */
    public static Tensor<Float> gather(Tensor<Float> x, int[] batch, int[] position) {
        Tensor<Float> d = dense(x);
        int seq = d.size(2);
        int width = d.size(3);
        Tensor<Float> out = zeros(batch.length, width);
        for (int i = 0; i < batch.length; i++) {
            System.arraycopy(data(d), offset(d) + (batch[i] * seq + position[i]) * width, data(out), i * width, width);
        }
        return out;
    }

    /** The inverse of {@link #gather}: a zero tensor of {@code shape} [batch, seq, width] with the rows added at their places. */
    public static Tensor<Float> scatter(Tensor<Float> rows, int[] shape, int[] batch, int[] position) {
        Tensor<Float> r = dense(rows);
        Tensor<Float> out = zeros(shape);
        int seq = shape[1];
        int width = shape[2];
        float[] o = data(out);
        for (int i = 0; i < batch.length; i++) {
            int at = (batch[i] * seq + position[i]) * width;
            for (int w = 0; w < width; w++) {
                o[at + w] += data(r)[offset(r) + i * width + w];
            }
        }
        return out;
    }

    public static Table table(Object... items) {
        Table table = T$.MODULE$.apply();
        for (Object item : items) {
            table.insert(item);
        }
        return table;
    }

    @SuppressWarnings("unchecked")
    public static Tensor<Float> tensorAt(Table table, int index) {
        return (Tensor<Float>) table.apply(index);
    }

    /** Number of rows when the last dimension is the feature dimension. */
    static int rows(Tensor<Float> t) {
        int[] size = t.size();
        return t.nElement() / size[size.length - 1];
    }

    static int lastDim(Tensor<Float> t) {
        int[] size = t.size();
        return size[size.length - 1];
    }

    /** {@code target += source}, element-wise over contiguous tensors of the same size. */
    static void addInto(Tensor<Float> target, Tensor<Float> source) {
        Vml.add(target.nElement(), data(target), offset(target), data(source), offset(source),
                data(target), offset(target));
    }

    /** {@code target = a + b}, resized to a's shape. */
    static Tensor<Float> sum(Tensor<Float> target, Tensor<Float> a, Tensor<Float> b) {
        resize(target, a.size());
        Vml.add(target.nElement(), data(a), offset(a), data(b), offset(b), data(target), offset(target));
        return target;
    }
}
