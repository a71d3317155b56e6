package dev.ann.compiler.model;

import dev.ann.compiler.ast.Range;

/**
 * What may be written at an offset.
 *
 * @param kind     the kind of place
 * @param prefix   the part of a word already typed before the cursor ("" if none)
 * @param replace  the range completion replaces (the word around the cursor)
 * @param owner    for SETTING_VALUE, the setting's name ({@code loss}); for ARGUMENT and
 *                 ARGUMENT_VALUE, the callee; else null
 * @param argument for ARGUMENT_VALUE, the argument's name; else null
 * @param section  for SETTING_START, the body: dataset, train or profile; else null
 */
public record CompletionContext(Kind kind, String prefix, Range replace, String owner, String argument,
                                String section) {

    public enum Kind {
        /** start of a top-level declaration */
        TOP_LEVEL,
        /** start of a statement in a network, block, branch or residual body: layers, blocks, input, parallel, residual */
        LAYER,
        /** after {@code ->}: activations */
        ACTIVATION,
        /** inside a call's parentheses where an argument starts: named args of the callee, and values */
        ARGUMENT,
        /** after {@code name:} in a call: values of that argument (enum choices, consts) */
        ARGUMENT_VALUE,
        /** start of a line in a dataset, train or profile body: setting names */
        SETTING_START,
        /** after a setting's name: its values (losses after {@code loss}, optimisers after {@code optimizer}...) */
        SETTING_VALUE,
        /** after {@code train} or {@code on}: network or dataset names */
        NETWORK_NAME,
        DATASET_NAME,
        /** a name declared elsewhere (a const) where an expression goes */
        EXPRESSION,
        /** in a comment or string, or nowhere useful */
        NONE
    }
}
