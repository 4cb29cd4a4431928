package org.nasbert.text;

import java.util.Arrays;

/** A growable array of ints: token ids are produced by the million, boxing them is not an option. */
public final class IntList {
    private int[] values;
    private int size;

    public IntList() {
        this(64);
    }

    public IntList(int capacity) {
        values = new int[Math.max(capacity, 4)];
    }

    public void add(int value) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = value;
    }

    public void addAll(IntList other, int from, int to) {
        int n = to - from;
        ensureCapacity(size + n);
        System.arraycopy(other.values, from, values, size, n);
        size += n;
    }

    public void addAll(IntList other) {
        addAll(other, 0, other.size);
    }

    private void ensureCapacity(int capacity) {
        if (capacity > values.length) {
            values = Arrays.copyOf(values, Math.max(capacity, values.length * 2));
        }
    }

    public int get(int index) {
        if (index >= size) {
            throw new IndexOutOfBoundsException(index + " >= " + size);
        }
        return values[index];
    }

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    public void clear() {
        size = 0;
    }

    /** Drops the first {@code n} values. */
    public void removeFirst(int n) {
        System.arraycopy(values, n, values, 0, size - n);
        size -= n;
    }

    /** Drops the last {@code n} values. */
    public void removeLast(int n) {
        size -= n;
    }

    public int[] toArray() {
        return Arrays.copyOf(values, size);
    }

    @Override
    public String toString() {
        return Arrays.toString(toArray());
    }
}
