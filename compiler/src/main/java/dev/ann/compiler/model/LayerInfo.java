package dev.ann.compiler.model;

import dev.ann.compiler.ast.Range;
import dev.ann.plan.Shape;
import dev.ann.compiler.spec.Spec;
import java.nio.file.Path;

/**
 * A layer statement (or one call of a {@code ->} chain) as the checker saw it.
 * Inside a block, shapes are those of the block's first use, and null when the
 * block is never used.
 *
 * @param range     the call (or whole statement for input/parallel/residual)
 * @param kind      layer kind, activation or block name; {@code input}, {@code parallel}, {@code residual}
 * @param spec      the declaration of that kind, or null for blocks and structural forms
 * @param name      the statement's name, or the generated one used in plans ({@code dense_2})
 * @param inShape   per-sample input shape, or null if unknown
 * @param outShape  per-sample output shape, or null if unknown (an error upstream)
 * @param params    trainable parameters
 * @param flops     forward FLOPs per sample
 * @param container the network or block it is written in
 */
public record LayerInfo(
        Path file,
        Range range,
        String kind,
        Spec spec,
        String name,
        Shape inShape,
        Shape outShape,
        long params,
        long flops,
        String container) {}
