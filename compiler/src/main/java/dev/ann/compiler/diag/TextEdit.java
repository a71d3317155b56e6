package dev.ann.compiler.diag;

import dev.ann.compiler.ast.Range;
import java.nio.file.Path;

/** Replace {@code range} of {@code file} with {@code newText}. */
public record TextEdit(Path file, Range range, String newText) {}
