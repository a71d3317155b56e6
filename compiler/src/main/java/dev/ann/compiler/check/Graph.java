package dev.ann.compiler.check;

import dev.ann.plan.Shape;
import dev.ann.compiler.spec.LayerSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A network expanded into ops: blocks inlined, parallel and residual turned into concat and add. */
final class Graph {

    /** One op. Shapes are null where an error upstream left them unknown. */
    static final class Node {
        int id;
        String name;
        String kind;
        LayerSpec spec;
        Map<String, Object> args;
        List<Integer> inputs;
        Shape in;
        Shape out;
        List<LayerSpec.Tensor> tensors = List.of();
        long params;
        long flops;
        /** where the op is written (maybe inside a block) */
        Loc loc;
        /** where it is used in the network: the block call for ops from a block, else loc */
        Loc site;
        /** where each argument is written */
        Map<String, dev.ann.compiler.ast.Range> argRanges = Map.of();
    }

    final String network;
    final List<Node> nodes = new ArrayList<>();
    Shape input;
    Shape output;
    /** the input statement's shape expression, for fixes */
    Loc inputLoc;

    Graph(String network) {
        this.network = network;
    }

    Node last() {
        return nodes.isEmpty() ? null : nodes.get(nodes.size() - 1);
    }

    long params() {
        return nodes.stream().mapToLong(n -> n.params).sum();
    }

    long flops() {
        return nodes.stream().mapToLong(n -> n.flops).sum();
    }

    /** True when the ops before this one own trainable parameters: gradients must flow through it. */
    boolean trainedBefore(Node n) {
        boolean[] seen = new boolean[nodes.size()];
        List<Integer> todo = new ArrayList<>(n.inputs);
        while (!todo.isEmpty()) {
            int i = todo.remove(todo.size() - 1);
            if (i < 0 || i >= nodes.size() || seen[i]) continue;
            seen[i] = true;
            Node m = nodes.get(i);
            if (m.params > 0) return true;
            todo.addAll(m.inputs);
        }
        return false;
    }
}
