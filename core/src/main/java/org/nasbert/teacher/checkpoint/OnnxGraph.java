package org.nasbert.teacher.checkpoint;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parts of an ONNX model that hold weights: the graph's floating-point initializers and its nodes
 * (operator type, inputs, outputs), read from the protobuf bytes (onnx.proto: ModelProto.graph = 7;
 * GraphProto.node = 1, initializer = 5; NodeProto.input = 1, output = 2, op_type = 4; TensorProto.dims = 1,
 * data_type = 2, float_data = 4, name = 8, raw_data = 9, data_location = 14).
 */
public final class OnnxGraph {
    private static final int FLOAT = 1;
    private static final int FLOAT16 = 10;
    private static final int DOUBLE = 11;
    private static final int BFLOAT16 = 16;
    private static final int EXTERNAL = 1;

    public final Map<String, WeightTensor> initializers = new LinkedHashMap<>();
    public final List<Node> nodes = new ArrayList<>();

    public static final class Node {
        public final String opType;
        public final List<String> inputs;
        public final List<String> outputs;
        /** Numeric attributes (f, i, floats, ints, and small tensors such as a Constant's value), as doubles. */
        public final Map<String, double[]> attributes;

        Node(String opType, List<String> inputs, List<String> outputs, Map<String, double[]> attributes) {
            this.opType = opType;
            this.inputs = Collections.unmodifiableList(inputs);
            this.outputs = Collections.unmodifiableList(outputs);
            this.attributes = Collections.unmodifiableMap(attributes);
        }

        public double[] attribute(String name) {
            return attributes.get(name);
        }
    }

    public static OnnxGraph parse(byte[] bytes, String source) {
        OnnxGraph graph = new OnnxGraph();
        ProtoReader model = new ProtoReader(bytes, 0, bytes.length, source);
        boolean sawGraph = false;
        while (model.next()) {
            if (model.field() == 7 && model.wireType() == ProtoReader.BYTES) {
                graph.readGraph(model.message(), source);
                sawGraph = true;
            } else {
                model.skip();
            }
        }
        if (!sawGraph || graph.nodes.isEmpty()) {
            throw new CheckpointException(source + " is not an ONNX model: it has no graph with nodes");
        }
        return graph;
    }

    private void readGraph(ProtoReader graph, String source) {
        while (graph.next()) {
            if (graph.field() == 1 && graph.wireType() == ProtoReader.BYTES) {
                nodes.add(readNode(graph.message()));
            } else if (graph.field() == 5 && graph.wireType() == ProtoReader.BYTES) {
                WeightTensor t = readTensor(graph.message(), source);
                if (t != null) {
                    initializers.put(t.name(), t);
                }
            } else {
                graph.skip();
            }
        }
    }

    private static Node readNode(ProtoReader node) {
        List<String> inputs = new ArrayList<>();
        List<String> outputs = new ArrayList<>();
        String op = "";
        Map<String, double[]> attributes = new LinkedHashMap<>();
        while (node.next()) {
            if (node.field() == 5 && node.wireType() == ProtoReader.BYTES) {
                readAttribute(node.message(), attributes);
            } else if (node.wireType() != ProtoReader.BYTES) {
                node.skip();
            } else if (node.field() == 1) {
                inputs.add(node.string());
            } else if (node.field() == 2) {
                outputs.add(node.string());
            } else if (node.field() == 4) {
                op = node.string();
            } else {
                node.skip();
            }
        }
        return new Node(op, inputs, outputs, attributes);
    }

    private static final int SMALL = 4096;

    private static void readAttribute(ProtoReader a, Map<String, double[]> attributes) {
        String name = "";
        double[] value = null;
        while (a.next()) {
            switch (a.field()) {
                case 1:
                    name = a.string();
                    break;
                case 2:
                    value = new double[]{Float.intBitsToFloat((int) a.fixed32())};
                    break;
                case 3:
                    value = new double[]{a.varint()};
                    break;
                case 5:
                    value = smallTensor(a.message());
                    break;
                default:
                    a.skip();
            }
        }
        if (value != null) {
            attributes.put(name, value);
        }
    }

    /** The values of a small int or float tensor (Constant nodes); null for anything else. */
    private static double[] smallTensor(ProtoReader t) {
        int dataType = 0;
        int rawOffset = -1;
        int rawLength = 0;
        int[] length = new int[1];
        while (t.next()) {
            if (t.field() == 2) {
                dataType = (int) t.varint();
            } else if (t.field() == 9) {
                rawOffset = t.bytesOffset(length);
                rawLength = length[0];
            } else {
                t.skip();
            }
        }
        if (rawOffset < 0 || rawLength > SMALL) {
            return null;
        }
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(t.data(), rawOffset, rawLength).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int width = dataType == 7 || dataType == 11 ? 8 : dataType == 1 || dataType == 6 ? 4 : 0;
        if (width == 0) {
            return null;
        }
        double[] values = new double[rawLength / width];
        for (int i = 0; i < values.length; i++) {
            switch (dataType) {
                case 7: values[i] = b.getLong(); break;
                case 11: values[i] = b.getDouble(); break;
                case 1: values[i] = b.getFloat(); break;
                default: values[i] = b.getInt();
            }
        }
        return values;
    }

    /** A TensorProto's fields as read: where its data lies in the model's bytes, not yet decoded. */
    private static final class TensorFields {
        final ProtoReader.LongList dims = new ProtoReader.LongList();
        int dataType;
        String name = "";
        int rawOffset = -1;
        int rawLength;
        int floatOffset = -1;
        int floatLength;
        boolean external;

        static TensorFields read(ProtoReader t) {
            TensorFields f = new TensorFields();
            int[] length = new int[1];
            while (t.next()) {
                switch (t.field()) {
                    case 1:
                        t.int64s(f.dims);
                        break;
                    case 2:
                        f.dataType = (int) t.varint();
                        break;
                    case 4:
                        if (t.wireType() != ProtoReader.BYTES) {
                            throw t.corrupt("unpacked float_data is not supported");
                        }
                        f.floatOffset = t.bytesOffset(length);
                        f.floatLength = length[0];
                        break;
                    case 8:
                        f.name = t.string();
                        break;
                    case 9:
                        f.rawOffset = t.bytesOffset(length);
                        f.rawLength = length[0];
                        break;
                    case 14:
                        f.external = t.varint() == EXTERNAL;
                        break;
                    default:
                        t.skip();
                }
            }
            return f;
        }
    }

    /** A floating-point initializer, or null for integer ones (shape constants and the like). */
    private static WeightTensor readTensor(ProtoReader t, String source) {
        TensorFields f = TensorFields.read(t);
        String name = f.name;
        ElementType type = elementType(f.dataType);
        if (type == null) {
            return null;
        }
        String what = source + ": initializer '" + name + "'";
        if (f.external) {
            throw new CheckpointException(what + " keeps its data in an external file; only self-contained ONNX models are supported");
        }
        int[] shape = WeightTensor.toIntShape(f.dims.toArray(), what);
        long count = WeightTensor.elements(shape);
        if (f.rawOffset >= 0) {
            if (f.rawLength != count * type.bytes) {
                throw new CheckpointException(what + ": raw_data has " + f.rawLength + " bytes, shape needs " + count * type.bytes);
            }
            return new WeightTensor(name, shape, type.decode(t.data(), f.rawOffset, (int) count));
        }
        if (f.floatOffset >= 0 && type == ElementType.F32) {
            if (f.floatLength != count * 4) {
                throw new CheckpointException(what + ": float_data has " + f.floatLength / 4 + " values, shape needs " + count);
            }
            return new WeightTensor(name, shape, type.decode(t.data(), f.floatOffset, (int) count));
        }
        if (count == 0) {
            return new WeightTensor(name, shape, new float[0]);
        }
        throw new CheckpointException(what + " has no data");
    }

    private static ElementType elementType(int onnxType) {
        switch (onnxType) {
            case FLOAT:
                return ElementType.F32;
            case FLOAT16:
                return ElementType.F16;
            case DOUBLE:
                return ElementType.F64;
            case BFLOAT16:
                return ElementType.BF16;
            default:
                return null;
        }
    }
}
