package dev.ann.compiler.model;

import dev.ann.compiler.ast.Range;
import dev.ann.compiler.spec.Spec;
import java.util.Set;

/**
 * The call the cursor is in: {@code conv2d(32, ker<|>)}.
 *
 * @param callee      the name called
 * @param spec        its declaration, or null for a block (see blockParams) or an unknown name
 * @param parens      the range of the parentheses
 * @param activeIndex index of the argument under the cursor among all arguments
 * @param activeName  the named argument under the cursor, or the spec's positional argument at that index, or null
 * @param givenNames  names of arguments already given (positional ones by their spec name)
 */
public record CallSite(String callee, Spec spec, Range parens, int activeIndex, String activeName,
                       Set<String> givenNames) {}
