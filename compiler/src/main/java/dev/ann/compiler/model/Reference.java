package dev.ann.compiler.model;

import dev.ann.compiler.ast.Range;
import java.nio.file.Path;

/** An occurrence of a symbol's name. */
public record Reference(Path file, Range range, boolean isDeclaration) {}
