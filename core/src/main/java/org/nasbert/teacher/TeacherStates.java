package org.nasbert.teacher;

import com.intel.analytics.bigdl.tensor.Tensor;
import org.nasbert.nn.Tensors;
import org.nasbert.teacher.checkpoint.Half;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * The teacher's hidden states at the block boundaries for batches of sequences: what block-wise distillation
 * learns from (block n maps Y_{n-1} to Y_n). Sequences are padded to the longest in the batch and masked;
 * states come back unpadded, [length x hidden] row-major per sequence.
 */
public final class TeacherStates {
    /** {@link Half#toFloat} of every 16-bit pattern. */
    private static final float[] HALF_TO_FLOAT = new float[1 << 16];

    static {
        for (int h = 0; h < HALF_TO_FLOAT.length; h++) {
            HALF_TO_FLOAT[h] = Half.toFloat((short) h);
        }
    }

    private final BertModel model;
    private final int[] boundaries;

    public TeacherStates(BertModel model, int[] boundaries) {
        this.model = model;
        this.boundaries = boundaries.clone();
    }

    public int[] boundaries() {
        return boundaries.clone();
    }

    public int hiddenSize() {
        return model.config().hiddenSize;
    }

    /** {@code result[n][b]}: boundary n's state for sequence b, {@code ids.get(b).length * hidden} floats. */
    public float[][][] compute(List<int[]> ids, List<int[]> types) {
        int batch = ids.size();
        int seq = 0;
        for (int[] s : ids) {
            seq = Math.max(seq, s.length);
        }
        int[][] paddedIds = new int[batch][seq];
        int[][] paddedTypes = new int[batch][seq];
        int[] lengths = new int[batch];
        for (int b = 0; b < batch; b++) {
            lengths[b] = ids.get(b).length;
            System.arraycopy(ids.get(b), 0, paddedIds[b], 0, lengths[b]);
            if (types != null) {
                System.arraycopy(types.get(b), 0, paddedTypes[b], 0, lengths[b]);
            }
        }
        List<Tensor<Float>> hidden = model.statesAfter(paddedIds, paddedTypes, lengths, boundaries);
        int h = hiddenSize();
        float[][][] out = new float[boundaries.length][batch][];
        for (int n = 0; n < boundaries.length; n++) {
            Tensor<Float> state = hidden.get(n);
            float[] data = Tensors.data(state);
            int offset = Tensors.offset(state);
            for (int b = 0; b < batch; b++) {
                out[n][b] = new float[lengths[b] * h];
                System.arraycopy(data, offset + b * seq * h, out[n][b], 0, lengths[b] * h);
            }
        }
        return out;
    }

    /** Little-endian fp16 (round to nearest even) or fp32 bytes, as the teacher stage stores states. */
    public static byte[] encode(float[] values, boolean half) {
        ByteBuffer b = ByteBuffer.allocate(values.length * (half ? 2 : 4)).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            if (half) {
                b.putShort(Half.fromFloat(v));
            } else {
                b.putFloat(v);
            }
        }
        return b.array();
    }

    public static float[] decode(byte[] bytes, boolean half) {
        if (half) {
            // distill decodes every target of every step: a table lookup per value, no buffer bounds checks
            float[] out = new float[bytes.length / 2];
            for (int i = 0; i < out.length; i++) {
                out[i] = HALF_TO_FLOAT[(bytes[2 * i] & 0xff) | (bytes[2 * i + 1] & 0xff) << 8];
            }
            return out;
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[bytes.length / 4];
        for (int i = 0; i < out.length; i++) {
            out[i] = b.getFloat();
        }
        return out;
    }
}
