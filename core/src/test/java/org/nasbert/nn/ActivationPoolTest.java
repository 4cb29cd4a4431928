package org.nasbert.nn;

import com.intel.analytics.bigdl.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/** Activation arrays recycled between steps: exact lengths, never handed out twice, bounded, scoped. */
class ActivationPoolTest {

    @Test
    void givesBackAnArrayOfTheExactLengthMostRecentFirst() {
        ActivationPool pool = new ActivationPool(1 << 20);
        float[] a = new float[100];
        float[] b = new float[100];
        float[] c = new float[50];
        pool.give(a);
        pool.give(b);
        pool.give(c);
        assertNull(pool.take(99), "no array of another length");
        assertSame(b, pool.take(100));
        assertSame(a, pool.take(100));
        assertNull(pool.take(100), "each array is handed out once");
        assertSame(c, pool.take(50));
        assertEquals(0, pool.bytesHeld());
    }

    @Test
    void anArrayGivenTwiceIsHeldOnce() {
        ActivationPool pool = new ActivationPool(1 << 20);
        float[] a = new float[10];
        pool.give(a);
        pool.give(a);
        assertSame(a, pool.take(10));
        assertNull(pool.take(10), "two tensors must never share one recycled array");
    }

    @Test
    void overCapacityTheArraysHeldLongestAreDropped() {
        ActivationPool pool = new ActivationPool(4 * 250);
        float[] oldest = new float[100];
        float[] middle = new float[100];
        float[] newest = new float[100];
        pool.give(oldest);
        pool.give(middle);
        pool.give(newest);
        assertEquals(4 * 200, pool.bytesHeld());
        assertSame(newest, pool.take(100));
        assertSame(middle, pool.take(100));
        assertNull(pool.take(100), "the oldest array was dropped");
        pool.give(new float[300]);
        assertEquals(0, pool.bytesHeld(), "an array larger than the pool is not kept");
    }

    @Test
    void onlyInsideAScopeDoReleasedTensorsComeBackThroughResize() {
        Tensor<Float> outside = Tensors.resize(Tensors.empty(), 4, 8);
        float[] array = Tensors.data(outside);
        ActivationPool.recycle(array);
        assertNotSame(array, Tensors.data(Tensors.resize(Tensors.empty(), 4, 8)), "outside a scope nothing is pooled");
        try (ActivationPool.Scope scope = ActivationPool.activate()) {
            Dense dense = new Dense(8, 8, new java.util.Random(1));
            Tensor<Float> y = dense.forward(Tensors.zeros(4, 8));
            float[] output = Tensors.data(y);
            dense.clearState();
            assertEquals(0, y.nElement(), "the released output is emptied");
            assertSame(output, Tensors.data(Tensors.resize(Tensors.empty(), 32)), "and its array reused");
        }
        assertNull(ActivationPool.active());
    }
}
