package dev.ann.compiler.model;

import dev.ann.compiler.spec.Registry;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What the editor and the CLI ask of a checked compilation, in the compiler's
 * own words: files, UTF-16 offsets, ranges, shapes, symbols. The language
 * server translates these into LSP types; nothing here knows LSP.
 *
 * <p>Every query works on a file with errors: a half-typed file still has
 * symbols, shapes (where they can be inferred) and a completion context.
 */
public interface SemanticModel {

    /** The symbol whose name (declaration or reference) is at or right before the offset. */
    Optional<Symbol> symbolAt(Path file, int offset);

    /** Every occurrence of the symbol in the compilation's files, its declaration included. */
    List<Reference> references(Symbol symbol);

    /** A global name (network, block, dataset, const, profile, train block). */
    Optional<Symbol> lookup(String name);

    /**
     * The declarations of one file, in source order, for the outline. Named
     * layer statements and block parameters are in {@link Symbol#children()}.
     */
    List<Symbol> symbols(Path file);

    /** The top-level declarations of every file of the compilation. */
    List<Symbol> allSymbols();

    /** Every layer statement of a file, in source order, with its shapes as far as they are known. */
    List<LayerInfo> layers(Path file);

    /** The innermost layer statement (or chained activation) containing the offset. */
    Optional<LayerInfo> layerAt(Path file, int offset);

    /** The innermost call whose parentheses contain the offset, and which argument the cursor is on. */
    Optional<CallSite> callAt(Path file, int offset);

    /** What may be written at the offset (drives completion). */
    CompletionContext contextAt(Path file, int offset);

    /** A network's totals: input and output shapes, parameters, FLOPs. */
    Optional<NetworkSummary> network(String name);

    /** Every declaration the language knows (layers, activations, losses...). */
    Registry registry();
}
