package dev.ann.compiler.ast;

import java.util.List;

/**
 * {@code callee(args)} or a bare {@code callee} ({@code relu}, {@code flatten}).
 *
 * @param parens    the range of {@code (...)}, or null when written without parentheses
 * @param range     from the callee to the closing parenthesis
 */
public record Call(Ident callee, List<Arg> args, Range parens, Range range) {

    public Call {
        args = List.copyOf(args);
    }

    public boolean hasParens() {
        return parens != null;
    }

    /** The positional arguments, in order. */
    public List<Arg> positional() {
        return args.stream().filter(a -> a.name() == null).toList();
    }

    /** An argument: {@code name: value} or a positional {@code value} (name null). */
    public record Arg(Ident name, Expr value, Range range) {}
}
