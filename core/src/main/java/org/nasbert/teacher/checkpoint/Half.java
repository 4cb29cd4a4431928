package org.nasbert.teacher.checkpoint;

/**
 * IEEE 754 half precision (binary16) conversion, round to nearest even, for Java 8 (which lacks
 * Float.floatToFloat16). Used for fp16 checkpoints and for the teacher's fp16 hidden-state files.
 */
public final class Half {
    private Half() {
    }

    public static float toFloat(short half) {
        int h = half & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1f;
        int mantissa = h & 0x3ff;
        if (exponent == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            float value = mantissa * 5.9604645e-8f; // 2^-24
            return sign == 0 ? value : -value;
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    public static short fromFloat(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int abs = bits & 0x7fffffff;
        if (abs >= 0x7f800000) {
            // infinity stays infinity; NaN keeps a quiet NaN payload
            return (short) (sign | 0x7c00 | (abs > 0x7f800000 ? 0x200 : 0));
        }
        if (abs >= 0x477ff000) {
            return (short) (sign | 0x7c00); // rounds to beyond 65504: infinity
        }
        if (abs < 0x38800000) {
            // subnormal half (or zero): value / 2^-24, rounded to nearest even
            float scaled = Float.intBitsToFloat(abs) * 16777216f;
            int m = (int) Math.rint(scaled);
            return (short) (sign | m);
        }
        int exponent = (abs >>> 23) - 112;
        int mantissa = abs & 0x7fffff;
        int half = (exponent << 10) | (mantissa >>> 13);
        int rest = mantissa & 0x1fff;
        if (rest > 0x1000 || (rest == 0x1000 && (half & 1) == 1)) {
            half++;
        }
        return (short) (sign | half);
    }
}
