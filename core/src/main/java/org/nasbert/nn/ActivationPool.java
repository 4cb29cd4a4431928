package org.nasbert.nn;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Recycles activation arrays between training steps on one thread. A supernet step allocates about a gigabyte of
 * activations at full size and drops them all at the end (the modules of the next path differ); handing those
 * arrays to the next step instead of the garbage collector saved a third of the step's non-GEMM time (young
 * collections copying live activations, old collections of promoted ones, page faults on fresh heap).
 *
 * <p>Only active inside {@link #activate()}: there, {@link Tensors#resize} takes arrays of the exact length it
 * needs from the pool and {@link Parameterized#clearState} gives a module's arrays back. Outside a scope (the
 * teacher's inference, whose boundary states outlive the layers) nothing changes. Arrays handed out are not
 * zeroed; every layer overwrites the tensors it resizes. The pool holds at most {@link #capacityBytes} and forgets
 * the arrays it got longest ago first.
 */
public final class ActivationPool {
    private static final ThreadLocal<ActivationPool> OWN = ThreadLocal.withInitial(ActivationPool::new);
    private static final ThreadLocal<ActivationPool> ACTIVE = new ThreadLocal<>();

    private final long capacityBytes;
    private final Map<Integer, ArrayDeque<float[]>> byLength = new HashMap<>();
    private final ArrayDeque<float[]> byAge = new ArrayDeque<>();
    private final Set<float[]> held = Collections.newSetFromMap(new IdentityHashMap<>());
    private long bytes;

    ActivationPool(long capacityBytes) {
        this.capacityBytes = capacityBytes;
    }

    private ActivationPool() {
        // Each task thread has its own pool; together they hold at most a quarter of the heap.
        this(Runtime.getRuntime().maxMemory() / (4L * Math.max(1, Runtime.getRuntime().availableProcessors())));
    }

    /** Makes this thread's pool active until the scope is closed; scopes nest. */
    public static Scope activate() {
        ActivationPool previous = ACTIVE.get();
        ACTIVE.set(OWN.get());
        return () -> ACTIVE.set(previous);
    }

    /** The thread's active pool, or null outside {@link #activate()}. */
    static ActivationPool active() {
        return ACTIVE.get();
    }

    /** An array of exactly {@code length} floats (contents arbitrary) from the active pool, or a new zeroed one. */
    static float[] floats(int length) {
        ActivationPool pool = ACTIVE.get();
        float[] array = pool == null ? null : pool.take(length);
        return array != null ? array : new float[length];
    }

    /** Gives {@code array} to the active pool; nothing outside a scope. */
    public static void recycle(float[] array) {
        ActivationPool pool = ACTIVE.get();
        if (pool != null) {
            pool.give(array);
        }
    }

    float[] take(int length) {
        ArrayDeque<float[]> bucket = byLength.get(length);
        float[] array = bucket == null ? null : bucket.pollLast();
        if (array == null) {
            return null;
        }
        byAge.removeLastOccurrence(array);
        held.remove(array);
        bytes -= 4L * length;
        return array;
    }

    /** Keeps {@code array} for a later {@link #take}; an array already held is not added twice. */
    void give(float[] array) {
        if (array == null || array.length == 0 || 4L * array.length > capacityBytes || !held.add(array)) {
            return;
        }
        byLength.computeIfAbsent(array.length, k -> new ArrayDeque<>()).addLast(array);
        byAge.addLast(array);
        bytes += 4L * array.length;
        while (bytes > capacityBytes) {
            float[] oldest = byAge.pollFirst();
            byLength.get(oldest.length).removeFirstOccurrence(oldest);
            held.remove(oldest);
            bytes -= 4L * oldest.length;
        }
    }

    long bytesHeld() {
        return bytes;
    }

    /** Closes an {@link #activate()} scope without a checked exception. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }
}
