package org.nasbert.teacher;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Stored hidden states decode to the floats they stand for: every binary16 pattern, and fp32 as written. */
class TeacherStatesDecodeTest {
    @Test
    void everyHalfPrecisionPatternDecodesToItsValueByTheDefinition() {
        byte[] all = new byte[2 << 16];
        for (int h = 0; h < 1 << 16; h++) {
            all[2 * h] = (byte) h; // little-endian, as the teacher stage writes
            all[2 * h + 1] = (byte) (h >>> 8);
        }
        float[] decoded = TeacherStates.decode(all, true);
        assertEquals(1 << 16, decoded.length);
        for (int h = 0; h < 1 << 16; h++) {
            int sign = h >>> 15;
            int exponent = (h >>> 10) & 0x1f;
            int mantissa = h & 0x3ff;
            String what = "pattern 0x" + Integer.toHexString(h);
            if (exponent == 0x1f && mantissa != 0) {
                assertTrue(Float.isNaN(decoded[h]), what);
                continue;
            }
            double magnitude = exponent == 0x1f ? Double.POSITIVE_INFINITY
                    : exponent == 0 ? mantissa * Math.pow(2, -24) // subnormal
                    : (1 + mantissa / 1024.0) * Math.pow(2, exponent - 15);
            float expected = (float) (sign == 1 ? -magnitude : magnitude);
            assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(decoded[h]), what);
        }
    }

    @Test
    void singlePrecisionStatesDecodeAsWritten() {
        Random random = new Random(7);
        ByteBuffer b = ByteBuffer.allocate(4 * 1000).order(ByteOrder.LITTLE_ENDIAN);
        float[] values = new float[1000];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian() * 10;
            b.putFloat(values[i]);
        }
        float[] decoded = TeacherStates.decode(b.array(), false);
        for (int i = 0; i < values.length; i++) {
            assertEquals(Float.floatToIntBits(values[i]), Float.floatToIntBits(decoded[i]));
        }
    }
}
