package org.nasbert.teacher.checkpoint;

import java.nio.charset.StandardCharsets;

/**
 * A bounds-checked reader of the protobuf wire format over a byte range, enough to walk ONNX models and
 * TensorFlow bundle entries without generated classes. Every length is checked against the bytes that
 * remain, so a corrupted file ends in a {@link CheckpointException}, never in a huge allocation.
 */
final class ProtoReader {
    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int BYTES = 2;
    static final int FIXED32 = 5;

    private final byte[] data;
    private final String source;
    private int position;
    private final int limit;
    private int tag;

    ProtoReader(byte[] data, int offset, int length, String source) {
        if (offset < 0 || length < 0 || offset + length > data.length) {
            throw new CheckpointException(source + ": message range out of bounds");
        }
        this.data = data;
        this.position = offset;
        this.limit = offset + length;
        this.source = source;
    }

    /** Advances to the next field; false at the end of the message. */
    boolean next() {
        if (position >= limit) {
            return false;
        }
        long key = varint();
        tag = (int) key;
        if (field() <= 0) {
            throw corrupt("field number " + field());
        }
        return true;
    }

    int field() {
        return tag >>> 3;
    }

    int wireType() {
        return tag & 7;
    }

    long varint() {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (position >= limit) {
                throw corrupt("truncated varint");
            }
            byte b = data[position++];
            result |= (long) (b & 0x7f) << shift;
            if (b >= 0) {
                return result;
            }
        }
        throw corrupt("varint longer than 10 bytes");
    }

    boolean hasRemaining() {
        return position < limit;
    }

    /** Skips n raw bytes and returns where they start. */
    int rawBytes(int n) {
        int start = position;
        advance(n);
        return start;
    }

    long fixed32() {
        advance(4);
        return (data[position - 4] & 0xffL) | (data[position - 3] & 0xffL) << 8 | (data[position - 2] & 0xffL) << 16
                | (data[position - 1] & 0xffL) << 24;
    }

    /** A length-delimited field as a sub-reader over its bytes. */
    ProtoReader message() {
        int length = length();
        ProtoReader sub = new ProtoReader(data, position, length, source);
        position += length;
        return sub;
    }

    /** Offset of a length-delimited field's bytes in the backing array; skips them. */
    int bytesOffset(int[] lengthOut) {
        int length = length();
        int start = position;
        position += length;
        lengthOut[0] = length;
        return start;
    }

    String string() {
        int length = length();
        String s = new String(data, position, length, StandardCharsets.UTF_8);
        position += length;
        return s;
    }

    /** Repeated int64 in either packed or unpacked form, appended to {@code out}. */
    void int64s(LongList out) {
        if (wireType() == BYTES) {
            ProtoReader packed = message();
            while (packed.position < packed.limit) {
                out.add(packed.varint());
            }
        } else {
            out.add(varint());
        }
    }

    void skip() {
        switch (wireType()) {
            case VARINT:
                varint();
                break;
            case FIXED64:
                advance(8);
                break;
            case BYTES:
                advance(length());
                break;
            case FIXED32:
                advance(4);
                break;
            default:
                throw corrupt("wire type " + wireType() + " of field " + field());
        }
    }

    private void advance(int n) {
        if (n < 0 || n > limit - position) { // a negative length (a varint past 2^31) would step backwards
            throw corrupt("field runs past the end of its message");
        }
        position += n;
    }

    private int length() {
        long length = varint();
        if (length < 0 || length > limit - position) {
            throw corrupt("length " + length + " exceeds the " + (limit - position) + " bytes that remain");
        }
        return (int) length;
    }

    byte[] data() {
        return data;
    }

    CheckpointException corrupt(String what) {
        return new CheckpointException(source + " is corrupt or not the expected format: " + what + " at byte " + position);
    }

    /** A growable list of longs. */
    static final class LongList {
        private long[] values = new long[4];
        private int size;

        void add(long v) {
            if (size == values.length) {
                values = java.util.Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }

        long[] toArray() {
            return java.util.Arrays.copyOf(values, size);
        }
    }
}
