package dev.ann.compiler.ast;

import java.util.List;

/** Expressions: literals, names, calls, lists, ranges and arithmetic. */
public sealed interface Expr {
    Range range();

    record IntLit(long value, Range range) implements Expr {}

    record FloatLit(double value, String text, Range range) implements Expr {}

    /** {@code 10%}: value is the fraction, 0.1. */
    record PercentLit(double value, String text, Range range) implements Expr {}

    record StringLit(String value, Range range) implements Expr {}

    record BoolLit(boolean value, Range range) implements Expr {}

    /** {@code [1, 28, 28]}: shapes and lists. */
    record ListLit(List<Expr> items, Range range) implements Expr {}

    /** {@code 0..3}, inclusive at both ends. */
    record RangeLit(Expr from, Expr to, Range range) implements Expr {}

    /** A bare name: a const, an enum-like value ({@code same}), a metric. */
    record Name(Ident name) implements Expr {
        public Range range() {
            return name.range();
        }
    }

    /** A call in an expression: {@code normal(0.01)}, {@code best(val_accuracy)}, {@code idx(a, b)}. */
    record CallExpr(Call call) implements Expr {
        public Range range() {
            return call.range();
        }
    }

    record Unary(String op, Expr operand, Range range) implements Expr {}

    record Binary(String op, Expr left, Expr right, Range range) implements Expr {}

    /** Where the parser found no expression; the syntax error is reported already. */
    record Missing(Range range) implements Expr {}
}
