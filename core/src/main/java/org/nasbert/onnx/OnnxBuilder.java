package org.nasbert.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds an ONNX model (onnx.proto's ModelProto, IR version 8, default opset 17) node by node. Field numbers are
 * onnx.proto's; tensors are stored as little-endian raw data. Names are generated, so every node's output is unique.
 */
public final class OnnxBuilder {
    public static final int FLOAT = 1;
    public static final int INT64 = 7;
    private static final int ATTR_FLOAT = 1;
    private static final int ATTR_INT = 2;
    private static final int ATTR_INTS = 7;

    private final List<Protobuf> nodes = new ArrayList<>();
    private final List<Protobuf> initializers = new ArrayList<>();
    private final List<Protobuf> inputs = new ArrayList<>();
    private final List<Protobuf> outputs = new ArrayList<>();
    private final List<Protobuf> valueInfos = new ArrayList<>();
    private int counter;

    /** An attribute of a node. */
    public static final class Attribute {
        final Protobuf proto;

        private Attribute(Protobuf proto) {
            this.proto = proto;
        }
    }

    public static Attribute attr(String name, long value) {
        return new Attribute(new Protobuf().string(1, name).varint(3, value).varint(20, ATTR_INT));
    }

    public static Attribute attr(String name, float value) {
        return new Attribute(new Protobuf().string(1, name).fixed32(2, value).varint(20, ATTR_FLOAT));
    }

    public static Attribute attr(String name, long... values) {
        Protobuf p = new Protobuf().string(1, name);
        for (long v : values) {
            p.varint(8, v);
        }
        return new Attribute(p.varint(20, ATTR_INTS));
    }

    /** A graph input of the element type with symbolic dimensions ({@code null}) or fixed ones. */
    public String input(String name, int elementType, Object... dims) {
        inputs.add(valueInfo(name, elementType, dims));
        return name;
    }

    public void output(String name, int elementType, Object... dims) {
        outputs.add(valueInfo(name, elementType, dims));
    }

    /** Declares an intermediate value's type and shape (symbolic or fixed dimensions), where inference cannot tell. */
    public void shape(String name, int elementType, Object... dims) {
        valueInfos.add(valueInfo(name, elementType, dims));
    }

    /** A float initializer of the given shape. */
    public String weights(String name, float[] values, long... dims) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        initializers.add(tensor(name, FLOAT, b.array(), dims));
        return name;
    }

    public String constant(float value) {
        return weights("const_" + (counter++), new float[]{value});
    }

    /** An int64 initializer: a 1-d tensor of the values, or a scalar when {@code scalar}. */
    public String int64s(boolean scalar, long... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        String name = "const_" + (counter++);
        initializers.add(tensor(name, INT64, b.array(), scalar ? new long[0] : new long[]{values.length}));
        return name;
    }

    /** Adds a node of {@code op} reading {@code in}; returns its (single) output's name. */
    public String node(String op, String[] in, Attribute... attributes) {
        String out = op.toLowerCase(java.util.Locale.ROOT) + "_" + (counter++);
        Protobuf n = new Protobuf();
        for (String i : in) {
            n.string(1, i);
        }
        n.string(2, out).string(3, out).string(4, op);
        for (Attribute a : attributes) {
            n.message(5, a.proto);
        }
        nodes.add(n);
        return out;
    }

    /** Renames the value {@code from} to the graph output name {@code to} (an Identity node). */
    public void alias(String from, String to) {
        nodes.add(new Protobuf().string(1, from).string(2, to).string(3, to).string(4, "Identity"));
    }

    public byte[] model(String graphName, String producer, String producerVersion) {
        Protobuf g = new Protobuf();
        for (Protobuf n : nodes) {
            g.message(1, n);
        }
        g.string(2, graphName);
        for (Protobuf t : initializers) {
            g.message(5, t);
        }
        for (Protobuf i : inputs) {
            g.message(11, i);
        }
        for (Protobuf o : outputs) {
            g.message(12, o);
        }
        for (Protobuf v : valueInfos) {
            g.message(13, v);
        }
        return new Protobuf().varint(1, 8).string(2, producer).string(3, producerVersion).message(7, g)
                .message(8, new Protobuf().string(1, "").varint(2, 17)).toBytes();
    }

    private static Protobuf tensor(String name, int type, byte[] raw, long[] dims) {
        Protobuf t = new Protobuf();
        for (long d : dims) {
            t.varint(1, d);
        }
        return t.varint(2, type).string(8, name).bytes(9, raw);
    }

    private static Protobuf valueInfo(String name, int elementType, Object[] dims) {
        Protobuf shape = new Protobuf();
        for (Object d : dims) {
            shape.message(1, d instanceof Number ? new Protobuf().varint(1, ((Number) d).longValue())
                    : new Protobuf().string(2, String.valueOf(d)));
        }
        Protobuf tensorType = new Protobuf().varint(1, elementType).message(2, shape);
        return new Protobuf().string(1, name).message(2, new Protobuf().message(1, tensorType));
    }
}
