package org.nasbert.teacher.checkpoint;

import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A TensorFlow checkpoint in the TensorBundle format ({@code prefix.index} + {@code prefix.data-NNNNN-of-NNNNN}),
 * as Google's BERT releases and SavedModel variables are stored. The index is a LevelDB-style table (blocks of
 * prefix-compressed keys, an index block, a 48-byte footer) mapping variable names to BundleEntryProto:
 * dtype = 1, shape = 2, shard_id = 3, offset = 4, size = 5, crc32c = 6 (masked).
 * Tensor bytes are checked against the entry's size and checksum before use.
 */
public final class TfBundle {
    private static final long MAGIC = 0xdb4775248b80fb57L;
    private static final int FOOTER = 48;
    private static final int DT_FLOAT = 1;
    private static final int DT_DOUBLE = 2;
    private static final int DT_BFLOAT16 = 14;
    private static final int DT_HALF = 19;
    private static final int MAX_INDEX_BYTES = 256 << 20;

    private final FileSystem fs;
    private final Path prefix;
    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private int shards = 1;

    static final class Entry {
        final String name;
        final int dtype;
        final int[] shape;
        final int shard;
        final long offset;
        final long size;
        final Integer crc;

        Entry(String name, int dtype, int[] shape, int shard, long offset, long size, Integer crc) {
            this.name = name;
            this.dtype = dtype;
            this.shape = shape;
            this.shard = shard;
            this.offset = offset;
            this.size = size;
            this.crc = crc;
        }
    }

    /** Opens {@code prefix.index} (prefix as TensorFlow names it, e.g. {@code variables/variables}). */
    public TfBundle(FileSystem fs, Path prefix) {
        this.fs = fs;
        this.prefix = prefix;
        Path index = new Path(prefix.toString() + ".index");
        byte[] bytes = readIndex(index);
        readTable(bytes, index.toString());
    }

    public Map<String, int[]> shapes() {
        Map<String, int[]> out = new LinkedHashMap<>();
        for (Entry e : entries.values()) {
            out.put(e.name, e.shape.clone());
        }
        return out;
    }

    public boolean isFloat(String name) {
        Entry e = entries.get(name);
        return e != null && elementType(e.dtype) != null;
    }

    /** Reads one floating-point variable, checking its size and checksum. */
    public WeightTensor read(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            throw new CheckpointException(prefix + ".index has no variable '" + name + "'");
        }
        ElementType type = elementType(e.dtype);
        String what = prefix + ": variable '" + name + "'";
        if (type == null) {
            throw new CheckpointException(what + " has TensorFlow dtype " + e.dtype + "; expected a float type (1, 2, 14, 19)");
        }
        long count = WeightTensor.elements(e.shape);
        if (e.size != count * type.bytes) {
            throw new CheckpointException(what + " claims " + e.size + " bytes; its shape needs " + count * type.bytes);
        }
        Path data = new Path(String.format("%s.data-%05d-of-%05d", prefix, e.shard, shards));
        byte[] raw;
        try {
            // the index's sizes are checked against the data file before anything is allocated by them
            long length = fs.getFileStatus(data).getLen();
            if (e.offset < 0 || e.size < 0 || e.offset + e.size > length || e.size > Integer.MAX_VALUE - 8) {
                throw new CheckpointException(what + " lies at bytes " + e.offset + ".." + (e.offset + e.size) + " but "
                        + data + " has " + length + " (truncated file?)");
            }
            raw = new byte[(int) e.size];
            try (FSDataInputStream in = fs.open(data)) {
                in.readFully(e.offset, raw);
            }
        } catch (IOException ex) {
            throw new CheckpointException("cannot read " + data + ": " + ex.getMessage(), ex);
        }
        if (e.crc != null && Crc32c.mask(Crc32c.of(raw, 0, raw.length)) != e.crc) {
            throw new CheckpointException(what + ": checksum mismatch in " + data + " (corrupted file)");
        }
        return new WeightTensor(name, e.shape, type.decode(raw, 0, (int) count));
    }

    private byte[] readIndex(Path index) {
        try {
            if (!fs.exists(index)) {
                throw new CheckpointException(index + " does not exist");
            }
            long length = fs.getFileStatus(index).getLen();
            if (length < FOOTER || length > MAX_INDEX_BYTES) {
                throw new CheckpointException(index + " has " + length + " bytes; not a TensorBundle index");
            }
            byte[] bytes = new byte[(int) length];
            try (FSDataInputStream in = fs.open(index)) {
                in.readFully(0, bytes);
            }
            return bytes;
        } catch (IOException e) {
            throw new CheckpointException("cannot read " + index + ": " + e.getMessage(), e);
        }
    }

    private void readTable(byte[] bytes, String source) {
        int footer = bytes.length - FOOTER;
        long magic = 0;
        for (int i = 7; i >= 0; i--) {
            magic = (magic << 8) | (bytes[bytes.length - 8 + i] & 0xff);
        }
        if (magic != MAGIC) {
            throw new CheckpointException(source + " is not a TensorBundle index (bad table magic)");
        }
        ProtoReader handles = new ProtoReader(bytes, footer, FOOTER - 8, source);
        handles.varint();
        handles.varint(); // metaindex handle: unused
        long indexOffset = handles.varint();
        long indexSize = handles.varint();
        for (byte[] handle : blockEntries(bytes, indexOffset, indexSize, source).values()) {
            ProtoReader h = new ProtoReader(handle, 0, handle.length, source);
            long offset = h.varint();
            long size = h.varint();
            for (Map.Entry<String, byte[]> kv : blockEntries(bytes, offset, size, source).entrySet()) {
                addEntry(kv.getKey(), kv.getValue(), source);
            }
        }
        if (entries.isEmpty()) {
            throw new CheckpointException(source + " lists no variables");
        }
    }

    /** The key/value pairs of one table block (prefix-compressed keys, restart array at the end). */
    private static Map<String, byte[]> blockEntries(byte[] bytes, long offset, long size, String source) {
        if (offset < 0 || size < 4 || offset + size + 5 > bytes.length) {
            throw new CheckpointException(source + " is corrupt: block at " + offset + "+" + size + " outside the file");
        }
        int start = (int) offset;
        int end = (int) (offset + size);
        if (bytes[end] != 0) {
            throw new CheckpointException(source + ": compressed table blocks (type " + bytes[end] + ") are not supported");
        }
        if (Crc32c.mask(Crc32c.of(bytes, start, end - start + 1)) != readInt(bytes, end + 1)) {
            throw new CheckpointException(source + " is corrupt: checksum mismatch in the table block at " + offset);
        }
        int restarts = readInt(bytes, end - 4);
        int dataEnd = end - 4 - 4 * restarts;
        if (restarts < 0 || dataEnd < start) {
            throw new CheckpointException(source + " is corrupt: block restart count " + restarts);
        }
        Map<String, byte[]> out = new LinkedHashMap<>();
        ProtoReader r = new ProtoReader(bytes, start, dataEnd - start, source);
        byte[] key = new byte[0];
        int[] length = new int[1];
        while (r.hasRemaining()) {
            int shared = (int) r.varint();
            int unshared = (int) r.varint();
            int valueLength = (int) r.varint();
            if (shared < 0 || shared > key.length || unshared < 0 || valueLength < 0) {
                throw r.corrupt("bad key lengths in table block");
            }
            int keyAt = r.rawBytes(unshared); // bounds-checked against the block before the lengths size any array
            int valueAt = r.rawBytes(valueLength);
            byte[] next = new byte[shared + unshared];
            System.arraycopy(key, 0, next, 0, shared);
            System.arraycopy(bytes, keyAt, next, shared, unshared);
            byte[] value = new byte[valueLength];
            System.arraycopy(bytes, valueAt, value, 0, valueLength);
            key = next;
            out.put(new String(key, java.nio.charset.StandardCharsets.UTF_8), value);
        }
        return out;
    }

    private void addEntry(String name, byte[] value, String source) {
        ProtoReader r = new ProtoReader(value, 0, value.length, source + " entry '" + name + "'");
        if (name.isEmpty()) {
            while (r.next()) {
                if (r.field() == 1 && r.wireType() == ProtoReader.VARINT) {
                    shards = (int) r.varint();
                } else {
                    r.skip();
                }
            }
            if (shards < 1 || shards > 100000) {
                throw new CheckpointException(source + ": header says " + shards + " shards");
            }
            return;
        }
        int dtype = 0;
        ProtoReader.LongList dims = new ProtoReader.LongList();
        int shard = 0;
        long offset = 0;
        long size = 0;
        Integer crc = null;
        boolean sliced = false;
        while (r.next()) {
            switch (r.field()) {
                case 1: dtype = (int) r.varint(); break;
                case 2: readShape(r.message(), dims); break;
                case 3: shard = (int) r.varint(); break;
                case 4: offset = r.varint(); break;
                case 5: size = r.varint(); break;
                case 6: crc = (int) r.fixed32(); break;
                case 7: sliced = true; r.skip(); break;
                default: r.skip();
            }
        }
        if (sliced) {
            throw new CheckpointException(source + ": variable '" + name + "' is stored in slices (partitioned); not supported");
        }
        if (shard < 0 || shard >= shards) {
            throw new CheckpointException(source + ": variable '" + name + "' names shard " + shard);
        }
        entries.put(name, new Entry(name, dtype, WeightTensor.toIntShape(dims.toArray(), source + " '" + name + "'"),
                shard, offset, size, crc));
    }

    private static void readShape(ProtoReader shape, ProtoReader.LongList dims) {
        while (shape.next()) {
            if (shape.field() == 2 && shape.wireType() == ProtoReader.BYTES) {
                ProtoReader dim = shape.message();
                long size = 0;
                while (dim.next()) {
                    if (dim.field() == 1 && dim.wireType() == ProtoReader.VARINT) {
                        size = dim.varint();
                    } else {
                        dim.skip();
                    }
                }
                dims.add(size);
            } else {
                shape.skip();
            }
        }
    }

    private static ElementType elementType(int dtype) {
        switch (dtype) {
            case DT_FLOAT: return ElementType.F32;
            case DT_DOUBLE: return ElementType.F64;
            case DT_HALF: return ElementType.F16;
            case DT_BFLOAT16: return ElementType.BF16;
            default: return null;
        }
    }

    private static int readInt(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24;
    }
}
