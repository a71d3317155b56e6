package dev.ann.compiler.ast;

import java.util.List;

/** A statement in a network, block, branch or residual body. */
public sealed interface LayerStmt {
    /** {@code features = ...}: the statement's name, or null. */
    Ident label();

    Range range();

    /** {@code input [1, 28, 28]} */
    record Input(Ident label, Ident keyword, Expr shape, Range range) implements LayerStmt {}

    /**
     * {@code dense(10) -> softmax}: a layer (or block) call followed by zero
     * or more activations, each of which is a layer of its own.
     */
    record Chain(Ident label, List<Call> calls, Range range) implements LayerStmt {
        public Chain {
            calls = List.copyOf(calls);
        }
    }

    /** {@code parallel concat { branch {...} ... }} */
    record Parallel(Ident label, Ident keyword, Ident mode, List<Branch> branches, Range range)
            implements LayerStmt {
        public Parallel {
            branches = List.copyOf(branches);
        }
    }

    /** {@code residual { ... }}: output = input + body(input). */
    record Residual(Ident label, Ident keyword, List<LayerStmt> body, Range range) implements LayerStmt {
        public Residual {
            body = List.copyOf(body);
        }
    }

    record Branch(Ident keyword, List<LayerStmt> body, Range range) {
        public Branch {
            body = List.copyOf(body);
        }
    }
}
