package dev.ann.compiler.check;

import dev.ann.compiler.ast.Range;
import dev.ann.compiler.model.Reference;
import dev.ann.compiler.model.Symbol;
import dev.ann.compiler.model.SymbolKind;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Every declared name and every occurrence of it, for go-to-definition, references, rename and the outline. */
final class Index {

    /** Identity of a declaration. */
    record Key(SymbolKind kind, Path file, Range nameRange) {}

    static final class Entry {
        final Key key;
        final String name;
        final Range declRange;
        final String doc;
        final String container;
        String detail = "";
        final List<Key> children = new ArrayList<>();

        Entry(Key key, String name, Range declRange, String doc, String container) {
            this.key = key;
            this.name = name;
            this.declRange = declRange;
            this.doc = doc;
            this.container = container;
        }
    }

    private final Map<Key, Entry> entries = new LinkedHashMap<>();
    private final Map<Key, Set<Reference>> refs = new LinkedHashMap<>();

    Key declare(SymbolKind kind, Path file, dev.ann.compiler.ast.Ident name, Range declRange, String doc, Key parent) {
        Key k = new Key(kind, file, name.range());
        if (!entries.containsKey(k)) {
            Entry parentEntry = parent == null ? null : entries.get(parent);
            entries.put(k, new Entry(k, name.text(), declRange, doc == null ? "" : doc,
                    parentEntry == null ? null : parentEntry.name));
            if (parentEntry != null) parentEntry.children.add(k);
        }
        refs.computeIfAbsent(k, x -> new LinkedHashSet<>()).add(new Reference(file, name.range(), true));
        return k;
    }

    void reference(Key target, Path file, Range range) {
        if (target == null || range == null || range.length() == 0) return;
        refs.computeIfAbsent(target, x -> new LinkedHashSet<>()).add(new Reference(file, range, false));
    }

    void detail(Key k, String detail) {
        Entry e = entries.get(k);
        if (e != null) e.detail = detail;
    }

    Entry entry(Key k) {
        return entries.get(k);
    }

    Map<Key, Set<Reference>> references() {
        return refs;
    }

    Symbol symbol(Key k) {
        Entry e = entries.get(k);
        if (e == null) return null;
        List<Symbol> kids = new ArrayList<>();
        for (Key c : e.children) {
            Symbol s = symbol(c);
            if (s != null) kids.add(s);
        }
        return new Symbol(e.name, k.kind(), k.file(), k.nameRange(), e.declRange, e.doc, e.detail, e.container, kids);
    }

    List<Entry> entries() {
        return new ArrayList<>(entries.values());
    }

    /** Top-level symbols of each file, in source order, with their children. */
    Map<Path, List<Symbol>> topLevel() {
        Map<Path, List<Symbol>> out = new LinkedHashMap<>();
        for (Entry e : entries.values()) {
            if (e.container != null) continue;
            out.computeIfAbsent(e.key.file(), f -> new ArrayList<>()).add(symbol(e.key));
        }
        for (List<Symbol> l : out.values()) l.sort((a, b) -> Integer.compare(a.declRange().start(), b.declRange().start()));
        return out;
    }

    /** Every symbol (nested ones included) with its occurrences, declaration first. */
    Map<Symbol, List<Reference>> withReferences() {
        Map<Symbol, List<Reference>> out = new LinkedHashMap<>();
        for (Entry e : entries.values()) {
            List<Reference> r = new ArrayList<>(refs.getOrDefault(e.key, Set.of()));
            r.sort((a, b) -> a.isDeclaration() != b.isDeclaration() ? (a.isDeclaration() ? -1 : 1)
                    : a.file().equals(b.file()) ? Integer.compare(a.range().start(), b.range().start())
                    : a.file().compareTo(b.file()));
            out.put(symbol(e.key), r);
        }
        return out;
    }
}
