package dev.ann.compiler.diag;

/**
 * Every diagnostic code, once. Codes are stable: a code is never reused for
 * another meaning. docs/diagnostics.md lists them with an example each.
 */
public final class Codes {
    private Codes() {}

    public static final String SYNTAX = "E001";
}
