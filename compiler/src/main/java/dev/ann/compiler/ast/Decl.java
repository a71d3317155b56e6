package dev.ann.compiler.ast;

import java.util.List;

/** Top-level declarations. Each has a name (null for imports), a doc comment and a range. */
public sealed interface Decl {
    Ident name();

    /** The {@code ///} comment lines before the declaration, joined by newlines; "" if none. */
    String doc();

    Range range();

    record Import(Ident keyword, Expr.StringLit path, String doc, Range range) implements Decl {
        public Ident name() {
            return null;
        }
    }

    record Const(Ident name, Expr value, String doc, Range range) implements Decl {}

    /** {@code name: type = default}; type and default may be absent. */
    record Param(Ident name, Ident type, Expr defaultValue, Range range) {}

    record Block(Ident name, List<Param> params, List<LayerStmt> body, String doc, Range range) implements Decl {
        public Block {
            params = List.copyOf(params);
            body = List.copyOf(body);
        }
    }

    record Network(Ident name, List<LayerStmt> body, String doc, Range range) implements Decl {
        public Network {
            body = List.copyOf(body);
        }
    }

    record Dataset(Ident name, List<Setting> settings, String doc, Range range) implements Decl {
        public Dataset {
            settings = List.copyOf(settings);
        }
    }

    record Train(Ident name, Ident network, Ident dataset, List<Setting> settings, String doc, Range range)
            implements Decl {
        public Train {
            settings = List.copyOf(settings);
        }
    }

    record Profile(Ident name, List<Setting> settings, String doc, Range range) implements Decl {
        public Profile {
            settings = List.copyOf(settings);
        }
    }
}
