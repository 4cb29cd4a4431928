package org.nasbert.teacher.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.nasbert.io.Json;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors format: an 8-byte little-endian header length, a JSON header mapping each tensor name
 * to {dtype, shape, data_offsets [begin, end)} relative to the byte buffer that follows, then the buffer.
 * Reading checks every claim of the header against the file before allocating: sizes, offsets inside the
 * buffer, no overlaps, byte counts that match dtype x shape.
 */
public final class SafeTensors {
    private static final long MAX_HEADER = 100L << 20;

    private SafeTensors() {
    }

    /** The tensors of {@code file}, decoded to float (F32, F16, BF16, F64). */
    public static Map<String, WeightTensor> read(FileSystem fs, Path file) {
        String source = file.toString();
        try (FSDataInputStream in = fs.open(file)) {
            long length = fs.getFileStatus(file).getLen();
            if (length < 8) {
                throw new CheckpointException(source + ": " + length + " bytes; a safetensors file starts with an 8-byte header length");
            }
            byte[] prefix = new byte[8];
            in.readFully(0, prefix);
            long headerLength = ByteBuffer.wrap(prefix).order(ByteOrder.LITTLE_ENDIAN).getLong();
            if (headerLength < 2 || headerLength > MAX_HEADER || headerLength > length - 8) {
                throw new CheckpointException(source + ": header length " + headerLength + " is impossible for a file of "
                        + length + " bytes (truncated or not safetensors)");
            }
            byte[] header = new byte[(int) headerLength];
            in.readFully(8, header);
            long bufferStart = 8 + headerLength;
            List<Slot> slots = parseHeader(header, length - bufferStart, source);
            Map<String, WeightTensor> out = new LinkedHashMap<>();
            for (Slot slot : slots) {
                byte[] raw = new byte[(int) (slot.end - slot.begin)];
                in.readFully(bufferStart + slot.begin, raw);
                out.put(slot.name, new WeightTensor(slot.name, slot.shape, slot.type.decode(raw, 0, (int) WeightTensor.elements(slot.shape))));
            }
            return out;
        } catch (IOException e) {
            throw new CheckpointException("cannot read " + source + ": " + e.getMessage(), e);
        }
    }

    private static final class Slot {
        String name;
        ElementType type;
        int[] shape;
        long begin;
        long end;
    }

    private static List<Slot> parseHeader(byte[] header, long bufferLength, String source) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(new String(header, StandardCharsets.UTF_8).trim());
        } catch (IOException e) {
            throw new CheckpointException(source + ": the header is not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new CheckpointException(source + ": the header is not a JSON object");
        }
        List<Slot> slots = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (!"__metadata__".equals(field.getKey())) {
                slots.add(slot(field.getKey(), field.getValue(), bufferLength, source));
            }
        }
        slots.sort(Comparator.comparingLong(s -> s.begin));
        long covered = 0;
        for (Slot s : slots) {
            if (s.begin < covered) {
                throw new CheckpointException(source + ": tensor '" + s.name + "' overlaps the one before it (offset " + s.begin + ")");
            }
            covered = s.end;
        }
        return slots;
    }

    private static Slot slot(String name, JsonNode entry, long bufferLength, String source) {
        String what = source + ": tensor '" + name + "'";
        JsonNode dtype = entry.get("dtype");
        JsonNode shape = entry.get("shape");
        JsonNode offsets = entry.get("data_offsets");
        if (dtype == null || !dtype.isTextual() || shape == null || !shape.isArray() || offsets == null || !offsets.isArray()
                || offsets.size() != 2) {
            throw new CheckpointException(what + ": expected {\"dtype\": ..., \"shape\": [...], \"data_offsets\": [begin, end]}");
        }
        Slot s = new Slot();
        s.name = name;
        try {
            s.type = ElementType.valueOf(dtype.asText());
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(what + ": dtype " + dtype.asText() + " is not supported; expected F32, F16, BF16 or F64");
        }
        long[] dims = new long[shape.size()];
        for (int i = 0; i < dims.length; i++) {
            if (!shape.get(i).canConvertToLong()) {
                throw new CheckpointException(what + ": shape " + shape + " is not a list of integers");
            }
            dims[i] = shape.get(i).asLong();
        }
        s.shape = WeightTensor.toIntShape(dims, what);
        if (!offsets.get(0).canConvertToLong() || !offsets.get(1).canConvertToLong()) {
            throw new CheckpointException(what + ": data_offsets " + offsets + " are not integers");
        }
        s.begin = offsets.get(0).asLong();
        s.end = offsets.get(1).asLong();
        if (s.begin < 0 || s.end < s.begin || s.end > bufferLength) {
            throw new CheckpointException(what + ": data_offsets [" + s.begin + ", " + s.end + "] fall outside the "
                    + bufferLength + "-byte buffer (truncated file or lying header)");
        }
        long needed = WeightTensor.elements(s.shape) * s.type.bytes;
        if (s.end - s.begin != needed) {
            throw new CheckpointException(what + ": " + (s.end - s.begin) + " bytes for shape " + shape + " of "
                    + s.type + ", which needs " + needed);
        }
        return s;
    }

    /** Writes {@code tensors} as F32 (or F16), in the given order, with optional string metadata. */
    public static void write(Collection<WeightTensor> tensors, Map<String, String> metadata, boolean half, OutputStream out)
            throws IOException {
        ObjectNode header = Json.MAPPER.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        int width = half ? 2 : 4;
        long offset = 0;
        for (WeightTensor t : tensors) {
            ObjectNode entry = header.putObject(t.name());
            entry.put("dtype", half ? "F16" : "F32");
            for (int d : t.shape()) {
                entry.withArray("shape").add(d);
            }
            if (t.shape().length == 0) {
                entry.putArray("shape");
            }
            long end = offset + (long) t.data().length * width;
            entry.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] json = Json.MAPPER.writer().without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                .writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8; // the buffer starts 8-aligned, as the reference writer does
        ByteBuffer prefix = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        prefix.putLong(padded).put(json);
        while (prefix.hasRemaining()) {
            prefix.put((byte) ' ');
        }
        out.write(prefix.array());
        for (WeightTensor t : tensors) {
            ByteBuffer b = ByteBuffer.allocate(t.data().length * width).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : t.data()) {
                if (half) {
                    b.putShort(Half.fromFloat(v));
                } else {
                    b.putFloat(v);
                }
            }
            out.write(b.array());
        }
    }
}
