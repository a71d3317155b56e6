package dev.ann.compiler.check;

import dev.ann.compiler.ast.AnnFile;
import dev.ann.compiler.ast.Decl;
import dev.ann.compiler.ast.Ident;
import dev.ann.compiler.ast.SourceFile;
import dev.ann.compiler.spec.Registry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The files of a compilation and their declarations by name. Networks,
 * blocks, datasets and consts share one global namespace across files; train
 * blocks and profiles have their own.
 */
final class Program {

    /** A declaration and where it is. */
    record Global<D extends Decl>(D decl, AnnFile file, Index.Key key) {
        SourceFile source() {
            return file.source();
        }

        Loc loc(dev.ann.compiler.ast.Range r) {
            return new Loc(file.source(), r);
        }
    }

    final Registry registry;
    Sink sink;   // swapped for a fresh one while re-checking under a profile
    final Index index = new Index();
    final Map<Path, AnnFile> files;
    final Path root;
    final Map<String, Global<?>> globals = new LinkedHashMap<>();
    final Map<String, Global<Decl.Train>> trains = new LinkedHashMap<>();
    final Map<String, Global<Decl.Profile>> profiles = new LinkedHashMap<>();
    final Evaluator eval;
    final Binder binder;

    Program(Registry registry, Sink sink, Map<Path, AnnFile> files, Path root) {
        this.registry = registry;
        this.sink = sink;
        this.files = files;
        this.root = root;
        this.eval = new Evaluator(this);
        this.binder = new Binder(this);
    }

    Global<?> global(String name) {
        return name == null ? null : globals.get(name);
    }

    @SuppressWarnings("unchecked")
    <D extends Decl> Global<D> global(String name, Class<D> type) {
        Global<?> g = global(name);
        return g != null && type.isInstance(g.decl()) ? (Global<D>) g : null;
    }

    List<String> namesOf(Class<? extends Decl> type) {
        List<String> out = new ArrayList<>();
        globals.forEach((n, g) -> {
            if (type.isInstance(g.decl())) out.add(n);
        });
        return out;
    }

    static String kindWord(Decl d) {
        if (d instanceof Decl.Network) return "network";
        if (d instanceof Decl.Block) return "block";
        if (d instanceof Decl.Dataset) return "dataset";
        if (d instanceof Decl.Const) return "const";
        if (d instanceof Decl.Train) return "train block";
        if (d instanceof Decl.Profile) return "profile";
        return "import";
    }

    static boolean present(Ident id) {
        return id != null && !id.text().isEmpty();
    }
}
