package dev.ann.compiler.model;

import dev.ann.compiler.Workspace;
import dev.ann.compiler.ast.AnnFile;
import dev.ann.compiler.spec.Registry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The semantic model of a checked compilation: symbols with every reference,
 * layer statements with shapes, network totals. Made by the checker; holds
 * plain data only, so queries are cheap and thread-safe.
 */
public final class CheckedModel implements SemanticModel {
    private final Map<Path, AnnFile> files;
    private final Map<Path, List<Symbol>> topLevel;
    private final Map<Symbol, List<Reference>> references;
    private final Map<Path, List<LayerInfo>> layers = new LinkedHashMap<>();
    private final Map<String, NetworkSummary> networks;
    private final Registry registry;

    public CheckedModel(Map<Path, AnnFile> files, Map<Path, List<Symbol>> topLevel, Map<Symbol, List<Reference>> references,
                        List<LayerInfo> layers, Map<String, NetworkSummary> networks, Registry registry) {
        this.files = new LinkedHashMap<>(files);
        this.topLevel = new LinkedHashMap<>(topLevel);
        this.references = new LinkedHashMap<>(references);
        for (LayerInfo l : layers) this.layers.computeIfAbsent(l.file(), f -> new ArrayList<>()).add(l);
        for (List<LayerInfo> l : this.layers.values()) {
            l.sort(Comparator.comparingInt((LayerInfo i) -> i.range().start()).thenComparingInt(i -> -i.range().end()));
        }
        this.networks = new LinkedHashMap<>(networks);
        this.registry = registry;
    }

    @Override
    public Optional<Symbol> symbolAt(Path file, int offset) {
        Path p = Workspace.normalize(file);
        // The narrowest occurrence wins; where a name both declares and refers (`train Net on Data` names the
        // train block after the network it refers to), the symbol referred to wins.
        Symbol best = null;
        int bestLen = Integer.MAX_VALUE;
        boolean bestIsDecl = true;
        for (var e : references.entrySet()) {
            for (Reference r : e.getValue()) {
                if (!r.file().equals(p) || !r.range().touches(offset)) continue;
                int len = r.range().length();
                if (len < bestLen || (len == bestLen && bestIsDecl && !r.isDeclaration())) {
                    best = e.getKey();
                    bestLen = len;
                    bestIsDecl = r.isDeclaration();
                }
            }
        }
        return Optional.ofNullable(best);
    }

    @Override
    public List<Reference> references(Symbol symbol) {
        for (var e : references.entrySet()) if (e.getKey().sameDeclaration(symbol)) return List.copyOf(e.getValue());
        return List.of();
    }

    @Override
    public Optional<Symbol> lookup(String name) {
        for (List<Symbol> l : topLevel.values()) {
            for (Symbol s : l) {
                if (s.name().equals(name) && s.kind() != SymbolKind.TRAIN && s.kind() != SymbolKind.PROFILE) return Optional.of(s);
            }
        }
        for (List<Symbol> l : topLevel.values()) for (Symbol s : l) if (s.name().equals(name)) return Optional.of(s);
        return Optional.empty();
    }

    @Override
    public List<Symbol> symbols(Path file) {
        return List.copyOf(topLevel.getOrDefault(Workspace.normalize(file), List.of()));
    }

    @Override
    public List<Symbol> allSymbols() {
        List<Symbol> out = new ArrayList<>();
        for (Path f : files.keySet()) out.addAll(topLevel.getOrDefault(f, List.of()));
        return out;
    }

    @Override
    public List<LayerInfo> layers(Path file) {
        return List.copyOf(layers.getOrDefault(Workspace.normalize(file), List.of()));
    }

    @Override
    public Optional<LayerInfo> layerAt(Path file, int offset) {
        LayerInfo best = null;
        for (LayerInfo l : layers.getOrDefault(Workspace.normalize(file), List.of())) {
            if (l.range().touches(offset) && (best == null || l.range().length() <= best.range().length())) best = l;
        }
        return Optional.ofNullable(best);
    }

    @Override
    public Optional<CallSite> callAt(Path file, int offset) {
        AnnFile f = files.get(Workspace.normalize(file));
        return f == null ? Optional.empty() : Cursor.callAt(f, registry, offset);
    }

    @Override
    public CompletionContext contextAt(Path file, int offset) {
        AnnFile f = files.get(Workspace.normalize(file));
        if (f == null) {
            return new CompletionContext(CompletionContext.Kind.NONE, "", new dev.ann.compiler.ast.Range(offset, offset),
                    null, null, null);
        }
        return Cursor.contextAt(f, offset);
    }

    @Override
    public Optional<NetworkSummary> network(String name) {
        return Optional.ofNullable(networks.get(name));
    }

    @Override
    public Registry registry() {
        return registry;
    }
}
