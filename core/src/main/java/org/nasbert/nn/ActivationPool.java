package org.nasbert.nn;

import java.lang.ref.SoftReference;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;

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
 * the arrays it got longest ago first. It holds them softly: when training is over and a later stage in the same JVM
 * (the driver in local mode, a reused executor) needs the memory, the garbage collector may take them.
 */
public final class ActivationPool {
    private static final ThreadLocal<ActivationPool> OWN = ThreadLocal.withInitial(ActivationPool::new);
    private static final ThreadLocal<ActivationPool> ACTIVE = new ThreadLocal<>();

    private final long capacityBytes;
    private final Map<Integer, ArrayDeque<SoftReference<float[]>>> byLength = new HashMap<>();
    private final ArrayDeque<SoftReference<float[]>> byAge = new ArrayDeque<>();
    /** Arrays given and not yet taken (arrays hash by identity; weak, so it never keeps one alive). */
    private final Set<float[]> held = Collections.newSetFromMap(new WeakHashMap<>());
    /** Each reference's array length, known even after the collector cleared it. */
    private final Map<SoftReference<float[]>, Integer> lengths = new IdentityHashMap<>();
    /** Bytes of the arrays referenced, cleared ones included until they are dropped. */
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
        ArrayDeque<SoftReference<float[]>> bucket = byLength.get(length);
        while (bucket != null && !bucket.isEmpty()) {
            SoftReference<float[]> ref = bucket.pollLast();
            byAge.removeLastOccurrence(ref);
            lengths.remove(ref);
            bytes -= 4L * length;
            float[] array = ref.get();
            if (array != null) {
                held.remove(array);
                return array;
            }
        }
        return null;
    }

    /** Keeps {@code array} for a later {@link #take}; an array already held is not added twice. */
    void give(float[] array) {
        if (array == null || array.length == 0 || 4L * array.length > capacityBytes || !held.add(array)) {
            return;
        }
        SoftReference<float[]> ref = new SoftReference<>(array);
        lengths.put(ref, array.length);
        byLength.computeIfAbsent(array.length, k -> new ArrayDeque<>()).addLast(ref);
        byAge.addLast(ref);
        bytes += 4L * array.length;
        while (bytes > capacityBytes) {
            SoftReference<float[]> oldest = byAge.pollFirst();
            int length = lengths.remove(oldest);
            byLength.get(length).removeFirstOccurrence(oldest);
            float[] a = oldest.get();
            if (a != null) {
                held.remove(a);
            }
            bytes -= 4L * length;
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
