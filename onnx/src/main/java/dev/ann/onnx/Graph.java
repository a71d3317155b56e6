package dev.ann.onnx;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import dev.ann.onnx.proto.Onnx;

/** Builds an ONNX graph node by node: fresh value names, constants as initializers, attributes. */
final class Graph {
    final Onnx.GraphProto.Builder g = Onnx.GraphProto.newBuilder();
    private final Set<String> names = new HashSet<>();

    /** A value name not used yet, from {@code base}. */
    String fresh(String base) {
        String n = base;
        for (int i = 1; !names.add(n); i++) n = base + "_" + i;
        return n;
    }

    /** Adds a node with one output named after {@code out}; returns the output's name. */
    String node(String opType, String out, List<String> inputs, Onnx.AttributeProto... attrs) {
        String o = fresh(out);
        Onnx.NodeProto.Builder n = Onnx.NodeProto.newBuilder().setOpType(opType).setName(fresh("node:" + o)).addOutput(o);
        n.addAllInput(inputs);
        for (Onnx.AttributeProto a : attrs) n.addAttribute(a);
        g.addNode(n);
        return o;
    }

    /** Adds a node with several outputs named after {@code outs}; returns their names. */
    List<String> nodeN(String opType, List<String> outs, List<String> inputs, Onnx.AttributeProto... attrs) {
        List<String> o = new java.util.ArrayList<>();
        for (String out : outs) o.add(fresh(out));
        Onnx.NodeProto.Builder n = Onnx.NodeProto.newBuilder().setOpType(opType).setName(fresh("node:" + o.get(0))).addAllOutput(o);
        n.addAllInput(inputs);
        for (Onnx.AttributeProto a : attrs) n.addAttribute(a);
        g.addNode(n);
        return o;
    }

    /** A float initializer of this shape. */
    String floats(String name, int[] dims, float[] data) {
        String n = fresh(name);
        Onnx.TensorProto.Builder t = Onnx.TensorProto.newBuilder().setName(n)
                .setDataType(Onnx.TensorProto.DataType.FLOAT_VALUE);
        for (int d : dims) t.addDims(d);
        for (float v : data) t.addFloatData(v);
        g.addInitializer(t);
        return n;
    }

    /** A float scalar initializer. */
    String scalar(String name, float v) {
        return floats(name, new int[0], new float[] {v});
    }

    /** A 1-D int64 initializer. */
    String longs(String name, long... data) {
        String n = fresh(name);
        Onnx.TensorProto.Builder t = Onnx.TensorProto.newBuilder().setName(n)
                .setDataType(Onnx.TensorProto.DataType.INT64_VALUE).addDims(data.length);
        for (long v : data) t.addInt64Data(v);
        g.addInitializer(t);
        return n;
    }

    static Onnx.AttributeProto ints(String name, long... v) {
        Onnx.AttributeProto.Builder a = Onnx.AttributeProto.newBuilder().setName(name)
                .setType(Onnx.AttributeProto.AttributeType.INTS);
        for (long x : v) a.addInts(x);
        return a.build();
    }

    static Onnx.AttributeProto intAttr(String name, long v) {
        return Onnx.AttributeProto.newBuilder().setName(name).setType(Onnx.AttributeProto.AttributeType.INT).setI(v).build();
    }

    static Onnx.AttributeProto floatAttr(String name, float v) {
        return Onnx.AttributeProto.newBuilder().setName(name).setType(Onnx.AttributeProto.AttributeType.FLOAT).setF(v).build();
    }

    static Onnx.AttributeProto stringAttr(String name, String v) {
        return Onnx.AttributeProto.newBuilder().setName(name).setType(Onnx.AttributeProto.AttributeType.STRING)
                .setS(com.google.protobuf.ByteString.copyFromUtf8(v)).build();
    }

    /** A float tensor type with a symbolic batch dimension (and symbolic others where a dim is null). */
    static Onnx.ValueInfoProto value(String name, List<Object> dims) {
        Onnx.TensorShapeProto.Builder s = Onnx.TensorShapeProto.newBuilder();
        for (Object d : dims) {
            Onnx.TensorShapeProto.Dimension.Builder b = Onnx.TensorShapeProto.Dimension.newBuilder();
            if (d instanceof Integer i) b.setDimValue(i);
            else b.setDimParam((String) d);
            s.addDim(b);
        }
        Onnx.TypeProto.Tensor t = Onnx.TypeProto.Tensor.newBuilder()
                .setElemType(Onnx.TensorProto.DataType.FLOAT_VALUE).setShape(s).build();
        return Onnx.ValueInfoProto.newBuilder().setName(name)
                .setType(Onnx.TypeProto.newBuilder().setTensorType(t)).build();
    }
}
