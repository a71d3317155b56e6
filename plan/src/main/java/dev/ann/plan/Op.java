package dev.ann.plan;

import java.util.List;

/**
 * One step of the network's forward pass.
 *
 * <p>Ops form a DAG in topological order: {@code inputs} are the ids of earlier
 * ops (an empty list for the {@code input} op). Layer kinds map one to one to
 * op kinds ({@code dense}, {@code conv2d}, {@code relu}, ...); the structural
 * forms add {@code concat} (the end of a {@code parallel concat}, on the channel
 * axis) and {@code add} (the end of a {@code residual}).
 *
 * @param id       index of this op in {@link Plan#ops()}
 * @param name     the statement's name if it has one, else a generated one ({@code dense_2})
 * @param kind     the op kind, the name of its declaration in the compiler's registry
 * @param args     resolved arguments, defaults filled in
 * @param inputs   ids of the ops whose outputs feed this one
 * @param outShape per-sample output shape
 * @param params   names of the parameters this op owns (see {@link Plan#params()})
 * @param paramCount number of trainable scalars
 * @param flops    multiply-adds counted as 2 FLOPs, per sample, forward pass
 * @param source   where in the .ann source this op comes from
 */
public record Op(
        int id,
        String name,
        String kind,
        Args args,
        List<Integer> inputs,
        Shape outShape,
        List<String> params,
        long paramCount,
        long flops,
        SourcePos source) {

    public Op {
        inputs = List.copyOf(inputs);
        params = List.copyOf(params);
    }

    /** What this op computes, typed: backends switch over it exhaustively. */
    public Kind layer() {
        return Kind.of(kind, args);
    }
}
