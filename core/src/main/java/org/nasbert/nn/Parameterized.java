package org.nasbert.nn;

import com.intel.analytics.bigdl.nn.abstractnn.AbstractModule;
import com.intel.analytics.bigdl.nn.abstractnn.Activity;
import com.intel.analytics.bigdl.tensor.Tensor;
import com.intel.analytics.bigdl.utils.Table;
import org.nasbert.engine.BigDl;
import scala.Tuple2;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

import java.util.ArrayList;
import java.util.List;

/**
 * Base of the project's BigDL layers: weights and their gradients are listed once, in
 * {@link #weights()} / {@link #gradients()}, so BigDL's optimisers and {@code getParameters} see the
 * real tensors (never copies).
 */
public abstract class Parameterized<A extends Activity> extends AbstractModule<A, Tensor<Float>, Float> {

    protected Parameterized(Class<?> inputType) {
        super(tag(inputType), tag(Tensor.class), BigDl.FLOAT, BigDl.NUMERIC);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static <X> ClassTag<X> tag(Class<?> type) {
        return (ClassTag) ClassTag$.MODULE$.apply(type);
    }

    protected abstract List<Tensor<Float>> weights();

    /**
     * Drops the cached activations (BigDL's contract for clearState): an inference pass through a deep model
     * can release each layer once the next has run, so memory does not grow with depth.
     */
    @Override
    public AbstractModule<A, Tensor<Float>, Float> clearState() {
        if (ActivationPool.active() != null) {
            recycle(output());
            recycle(gradInput());
        }
        super.clearState();
        releaseState();
        return this;
    }

    /** Gives an output or input gradient (a tensor, or a table's tensors, which are then emptied) to the pool. */
    private static void recycle(Activity activity) {
        if (activity instanceof Tensor) {
            recycle((Tensor<?>) activity);
        } else if (activity instanceof Table) {
            Table table = (Table) activity;
            for (int i = 1; i <= table.length(); i++) {
                Object item = table.apply(i);
                if (item instanceof Tensor) {
                    release((Tensor<?>) item);
                }
            }
        }
    }

    private static void recycle(Tensor<?> t) {
        if (t.storage() != null && t.storage().array() instanceof float[]) {
            ActivationPool.recycle((float[]) t.storage().array());
        }
    }

    /**
     * Subclasses release their own intermediate tensors (through {@link #release}, which also recycles them) and
     * their children's state.
     */
    protected void releaseState() {
    }

    protected static void release(Tensor<?>... tensors) {
        for (Tensor<?> t : tensors) {
            recycle(t);
            t.set();
        }
    }

    protected abstract List<Tensor<Float>> gradients();

    /** The weights alone, in {@link #parameters()}' order: reading or writing them allocates no gradients (a copy that only runs forward never needs them). */
    public final List<Tensor<Float>> weightTensors() {
        return weights();
    }

    @Override
    @SuppressWarnings("unchecked")
    public Tuple2<Tensor<Float>[], Tensor<Float>[]> parameters() {
        return new Tuple2<>(weights().toArray(new Tensor[0]), gradients().toArray(new Tensor[0]));
    }

    /** Number of weights (scalars). */
    public long parameterCount() {
        long n = 0;
        for (Tensor<Float> w : weights()) {
            n += w.nElement();
        }
        return n;
    }

    /** Concatenates the weight (or gradient) lists of child layers. */
    protected static List<Tensor<Float>> concat(List<List<Tensor<Float>>> parts) {
        List<Tensor<Float>> all = new ArrayList<>();
        for (List<Tensor<Float>> part : parts) {
            all.addAll(part);
        }
        return all;
    }
}
