package dev.ann.compiler;

import dev.ann.plan.Op;
import dev.ann.plan.Param;
import dev.ann.plan.Shape;
import java.util.List;

/**
 * One network on its own, expanded into ops as a Plan holds them (blocks
 * inlined, parallel and residual as concat and add): what {@code ann plan}
 * shows of a file that has networks but no train block.
 *
 * @param network the network's name
 * @param file    the .ann file it is declared in
 * @param input   per-sample input shape
 * @param output  per-sample output shape
 * @param ops     the ops in topological order, with shapes, parameter counts and FLOPs
 * @param params  the parameter tensors the ops own
 */
public record NetworkLayers(String network, String file, Shape input, Shape output, List<Op> ops, List<Param> params) {

    public NetworkLayers {
        ops = List.copyOf(ops);
        params = List.copyOf(params);
    }
}
