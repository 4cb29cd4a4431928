package org.nasbert.teacher.checkpoint;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Floating-point element types that checkpoints store, decoded to float. */
enum ElementType {
    F32(4), F16(2), BF16(2), F64(8);

    final int bytes;

    ElementType(int bytes) {
        this.bytes = bytes;
    }

    /** Decodes {@code count} little-endian values starting at {@code offset}. */
    float[] decode(byte[] raw, int offset, int count) {
        ByteBuffer buffer = ByteBuffer.wrap(raw, offset, count * bytes).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[count];
        switch (this) {
            case F32:
                buffer.asFloatBuffer().get(out);
                break;
            case F64:
                for (int i = 0; i < count; i++) {
                    out[i] = (float) buffer.getDouble();
                }
                break;
            case F16:
                for (int i = 0; i < count; i++) {
                    out[i] = Half.toFloat(buffer.getShort());
                }
                break;
            case BF16:
                for (int i = 0; i < count; i++) {
                    out[i] = Float.intBitsToFloat((buffer.getShort() & 0xffff) << 16);
                }
                break;
            default:
                throw new IllegalStateException(name());
        }
        return out;
    }
}
