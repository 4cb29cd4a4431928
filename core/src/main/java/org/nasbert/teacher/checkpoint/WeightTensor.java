package org.nasbert.teacher.checkpoint;

import java.util.Arrays;

/** A named float tensor read from a checkpoint, row-major. */
public final class WeightTensor implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private final String name;
    private final int[] shape;
    private final float[] data;

    public WeightTensor(String name, int[] shape, float[] data) {
        if (elements(shape) != data.length) {
            throw new IllegalArgumentException(name + ": shape " + Arrays.toString(shape) + " does not hold " + data.length + " values");
        }
        this.name = name;
        this.shape = shape.clone();
        this.data = data;
    }

    public String name() {
        return name;
    }

    public int[] shape() {
        return shape.clone();
    }

    public float[] data() {
        return data;
    }

    public WeightTensor renamed(String newName) {
        return new WeightTensor(newName, shape, data);
    }

    /** The transpose of a matrix (TensorFlow and ONNX store [in, out]; the model wants [out, in]). */
    public WeightTensor transposed(String newName) {
        if (shape.length != 2) {
            throw new CheckpointException(name + ": cannot transpose a tensor of shape " + Arrays.toString(shape));
        }
        int rows = shape[0];
        int cols = shape[1];
        float[] t = new float[data.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = data[r * cols + c];
            }
        }
        return new WeightTensor(newName, new int[]{cols, rows}, t);
    }

    /** Product of the dimensions; -1 when it overflows an int or a dimension is negative. */
    public static long elements(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                return -1;
            }
            n *= d;
            if (n > Integer.MAX_VALUE) {
                return -1;
            }
        }
        return n;
    }

    public static int[] toIntShape(long[] dims, String what) {
        int[] shape = new int[dims.length];
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] < 0 || dims[i] > Integer.MAX_VALUE) {
                throw new CheckpointException(what + ": dimension " + dims[i] + " is out of range");
            }
            shape[i] = (int) dims[i];
        }
        if (elements(shape) < 0) {
            throw new CheckpointException(what + ": shape " + Arrays.toString(dims) + " has more than 2^31 elements");
        }
        return shape;
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape);
    }
}
