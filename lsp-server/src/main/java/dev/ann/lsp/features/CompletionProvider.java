package dev.ann.lsp.features;

import dev.ann.compiler.ast.AnnFile;
import dev.ann.compiler.ast.Decl;
import dev.ann.compiler.model.CallSite;
import dev.ann.compiler.model.CompletionContext;
import dev.ann.compiler.model.Cursor;
import dev.ann.compiler.spec.ArgSpec;
import dev.ann.compiler.spec.Category;
import dev.ann.compiler.spec.Registry;
import dev.ann.compiler.spec.SettingSpec;
import dev.ann.compiler.spec.Spec;
import dev.ann.compiler.spec.Type;
import dev.ann.compiler.spec.Values;
import dev.ann.lsp.Analysis;
import dev.ann.lsp.Document;
import dev.ann.lsp.Lsp;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.eclipse.lsp4j.CompletionItem;
import org.eclipse.lsp4j.CompletionItemKind;
import org.eclipse.lsp4j.CompletionList;
import org.eclipse.lsp4j.InsertTextFormat;
import org.eclipse.lsp4j.MarkupContent;
import org.eclipse.lsp4j.MarkupKind;
import org.eclipse.lsp4j.Position;
import org.eclipse.lsp4j.Range;
import org.eclipse.lsp4j.TextEdit;
import org.eclipse.lsp4j.jsonrpc.messages.Either;

/**
 * Completion by context ({@link Cursor#contextAt}): declarations at the top
 * level, layers and blocks in a body, activations after {@code ->}, a call's
 * named arguments (those not given yet first) and their values, settings and
 * their values in dataset/train/profile bodies, and declared names where a
 * name goes. Works on the text as it is now, half-typed lines included.
 */
public final class CompletionProvider {
    private CompletionProvider() {}

    public static CompletionList complete(Analysis analysis, Document doc, Position pos) {
        AnnFile file = analysis.syntax(doc);
        int offset = Lsp.offset(doc.source(), pos);
        CompletionContext ctx = Cursor.contextAt(file, offset);
        Analysis.Snapshot snap = analysis.latest(doc.uri());
        Registry registry = Names.registry(snap);
        List<Decl> decls = snap == null ? file.decls() : Names.visible(snap);
        Range replace = Lsp.range(doc.source(), ctx.replace());
        Items items = new Items(replace);
        switch (ctx.kind()) {
            case TOP_LEVEL -> topLevel(items);
            case LAYER -> {
                if ("parallel".equals(ctx.section())) {
                    items.snippet("branch", "branch { ... }", "branch {\n\t$0\n}");
                    break;
                }
                java.util.function.Predicate<Spec> fits = fitting(snap, file, offset);
                specs(items, registry, Category.LAYER, CompletionItemKind.Function, "1", fits);
                specs(items, registry, Category.ACTIVATION, CompletionItemKind.Function, "3", fits);
                for (Decl d : decls) {
                    if (d instanceof Decl.Block b && !b.name().text().isEmpty()) {
                        items.add(b.name().text(), CompletionItemKind.Class, "block " + blockSignature(b), b.doc(), "2");
                    }
                }
                items.keyword("input", "input [$1]", "the input shape; first statement of a network");
                items.snippet("parallel", "parallel concat { branch {...} }",
                        "parallel concat {\n\tbranch { $1 }\n\tbranch { $2 }\n}");
                items.snippet("residual", "residual { ... }: output = input + body(input)", "residual {\n\t$0\n}");
            }
            case ACTIVATION -> specs(items, registry, Category.ACTIVATION, CompletionItemKind.Function, "1");
            case ARGUMENT -> arguments(items, analysis, file, registry, offset, decls);
            case ARGUMENT_VALUE -> argumentValues(items, file, registry, offset, ctx, decls);
            case SETTING_START -> {
                Category c = settingCategory(ctx.section());
                if (c != null) specs(items, registry, c, CompletionItemKind.Property, "1");
                if ("dataset".equals(ctx.section())) specs(items, registry, Category.DATA_SOURCE, CompletionItemKind.Function, "2");
            }
            case SETTING_VALUE -> settingValues(items, registry, ctx, decls);
            case NETWORK_NAME -> names(items, decls, Decl.Network.class, CompletionItemKind.Class);
            case DATASET_NAME -> names(items, decls, Decl.Dataset.class, CompletionItemKind.Struct);
            case EXPRESSION -> names(items, decls, Decl.Const.class, CompletionItemKind.Constant);
            case NONE -> { }
        }
        return new CompletionList(false, items.list);
    }

    // ---- kinds of places ---------------------------------------------------------------

    private static void topLevel(Items items) {
        items.snippet("network", "network Name { input [...] ... }", "network ${1:Name} {\n\tinput [${2:1, 28, 28}]\n\t$0\n}");
        items.snippet("block", "block Name(param: int) { ... }", "block ${1:Name}(${2:width}: ${3:int}) {\n\t$0\n}");
        items.snippet("dataset", "dataset Name { ... }", "dataset ${1:Name} {\n\t$0\n}");
        items.snippet("train", "train Network on Dataset { ... }",
                "train ${1:Network} on ${2:Dataset} {\n\tloss ${3:cross_entropy}\n\toptimizer ${4:adam}(lr: ${5:1e-3})\n\tbatch ${6:64}\n\tepochs ${7:10}\n\tmetrics accuracy, loss\n}");
        items.snippet("profile", "profile name { ... }", "profile ${1:dev} {\n\tepochs ${2:1}\n\t$0\n}");
        items.snippet("const", "const name = value", "const ${1:name} = ${0:1}");
        items.snippet("import", "import \"file.ann\"", "import \"${1:common}.ann\"");
    }

    private static void arguments(Items items, Analysis analysis, AnnFile file, Registry registry, int offset,
                                  List<Decl> decls) {
        Optional<CallSite> site = Cursor.callAt(file, registry, offset);
        if (site.isEmpty()) return;
        CallSite s = site.get();
        if (s.spec() != null) {
            for (ArgSpec a : s.spec().args()) {
                boolean given = s.givenNames().contains(a.name()) && !a.name().equals(s.activeName());
                items.add(a.name(), CompletionItemKind.Field, a.signature(), a.doc(), given ? "9" : "0", a.name() + ": ");
            }
        } else {
            for (Decl d : decls) {
                if (d instanceof Decl.Block b && b.name().text().equals(s.callee())) {
                    for (Decl.Param p : b.params()) {
                        String n = p.name().text();
                        boolean given = s.givenNames().contains(n);
                        items.add(n, CompletionItemKind.Field, paramSignature(p), "", given ? "9" : "0", n + ": ");
                    }
                }
            }
        }
        names(items, decls, Decl.Const.class, CompletionItemKind.Constant);
    }

    private static void argumentValues(Items items, AnnFile file, Registry registry, int offset,
                                       CompletionContext ctx, List<Decl> decls) {
        Optional<CallSite> site = Cursor.callAt(file, registry, offset);
        ArgSpec arg = site.flatMap(s -> Cursor.argument(s, ctx.argument())).orElse(null);
        if (arg != null) values(items, registry, arg);
        names(items, decls, Decl.Const.class, CompletionItemKind.Constant);
    }

    private static void values(Items items, Registry registry, ArgSpec arg) {
        for (String c : arg.choices()) items.add(c, CompletionItemKind.EnumMember, arg.name(), arg.doc(), "0");
        if (arg.type() == Type.BOOL) {
            items.add("true", CompletionItemKind.Keyword, "bool", "", "0");
            items.add("false", CompletionItemKind.Keyword, "bool", "", "0");
        }
        if (arg.type() == Type.INIT) specs(items, registry, Category.INITIALIZER, CompletionItemKind.Function, "0");
        if (arg.type() == Type.METRIC && registry != null) {
            for (Spec m : registry.all(Category.METRIC)) {
                items.add(m.name(), CompletionItemKind.EnumMember, "metric", m.doc(), "0");
                items.add("val_" + m.name(), CompletionItemKind.EnumMember, "metric on the validation set", m.doc(), "1");
            }
        }
    }

    private static void settingValues(Items items, Registry registry, CompletionContext ctx, List<Decl> decls) {
        String owner = ctx.owner();
        Category c = settingCategory(ctx.section());
        Spec spec = registry == null || c == null ? null : registry.find(c, owner).orElse(null);
        if (spec instanceof SettingSpec s) {
            if (s.valueCategory() != null) specs(items, registry, s.valueCategory(), CompletionItemKind.Function, "0");
            if (s.value() != null) values(items, registry, s.value());
            switch (s.form()) {
                case SOURCE, SOURCE_OR_FRACTION -> specs(items, registry, Category.DATA_SOURCE, CompletionItemKind.Function, "0");
                case SPLIT -> {
                    for (String part : List.of("train", "validation", "test")) {
                        items.add(part, CompletionItemKind.EnumMember, "split", "", "0");
                    }
                }
                case SWEEP -> {
                    for (SettingSpec t : registry.sweepable()) {
                        items.add(t.name(), CompletionItemKind.Property, "sweep " + t.name() + " a, b, ...", t.doc(), "0");
                    }
                }
                case CHECKPOINT -> {
                    items.add("every", CompletionItemKind.Keyword, "every N epochs", "", "0");
                    items.add("keep", CompletionItemKind.Keyword, "keep best(metric) | last", "", "0");
                    items.add("best", CompletionItemKind.Function, "best(metric)", "", "1", "best($1)");
                }
                case FROM -> items.add(SettingSpec.FROM, CompletionItemKind.Keyword, s.name() + " " + SettingSpec.FROM + " \"file\"", s.doc(), "0");
                default -> { }
            }
        } else {
            switch (owner) {
                case "loss" -> specs(items, registry, Category.LOSS, CompletionItemKind.Function, "0");
                case "optimizer", "optimiser" -> specs(items, registry, Category.OPTIMIZER, CompletionItemKind.Function, "0");
                case "schedule" -> specs(items, registry, Category.SCHEDULE, CompletionItemKind.Function, "0");
                case "metrics" -> specs(items, registry, Category.METRIC, CompletionItemKind.EnumMember, "0");
                default -> { }
            }
        }
        names(items, decls, Decl.Const.class, CompletionItemKind.Constant);
    }

    private static Category settingCategory(String section) {
        if (section == null) return null;
        return switch (section) {
            case "dataset" -> Category.DATASET_SETTING;
            case "train" -> Category.TRAIN_SETTING;
            case "profile" -> Category.PROFILE_SETTING;
            default -> null;
        };
    }

    /**
     * The layers that take the shape flowing into the cursor's statement: sequence layers after {@code [T, F]},
     * picture layers after {@code [c, h, w]}, an embedding right after the input; every layer when the shape is
     * unknown (no check yet, or an error above).
     */
    private static java.util.function.Predicate<Spec> fitting(Analysis.Snapshot snap, AnnFile file, int offset) {
        dev.ann.compiler.model.SemanticModel model = Names.model(snap);
        if (model == null) return s -> true;
        dev.ann.compiler.model.LayerInfo in = Cursor.incoming(file, model.layers(file.source().path()), offset).orElse(null);
        if (in == null) return s -> true;
        return s -> {
            if (!(s instanceof dev.ann.compiler.spec.LayerSpec l)) return true;
            if (l.name().equals("embedding") && !in.kind().equals("input")) return false;
            return l.takes(in.outShape());
        };
    }

    private static void specs(Items items, Registry registry, Category category, CompletionItemKind kind, String sort) {
        specs(items, registry, category, kind, sort, s -> true);
    }

    private static void specs(Items items, Registry registry, Category category, CompletionItemKind kind, String sort,
                              java.util.function.Predicate<Spec> fits) {
        if (registry == null) return;
        for (Spec s : registry.all(category)) {
            if (!fits.test(s)) continue;
            boolean required = s.args().stream().anyMatch(ArgSpec::required);
            String insert = required ? s.name() + "($1)" : null;
            CompletionItem item = items.add(s.name(), kind, s.signature(), s.doc(), sort);
            if (insert != null && item != null) {
                item.setTextEdit(Either.forLeft(new TextEdit(items.replace, insert)));
                item.setInsertTextFormat(InsertTextFormat.Snippet);
            }
        }
    }

    private static <T extends Decl> void names(Items items, List<Decl> decls, Class<T> kind, CompletionItemKind k) {
        for (Decl d : decls) {
            if (kind.isInstance(d) && d.name() != null && !d.name().text().isEmpty()) {
                String detail = d instanceof Decl.Const ? "const" : DocumentSymbolProvider.kindWord(d);
                items.add(d.name().text(), k, detail, d.doc(), "1");
            }
        }
    }

    static String blockSignature(Decl.Block b) {
        StringBuilder sb = new StringBuilder(b.name().text()).append('(');
        for (int i = 0; i < b.params().size(); i++) {
            if (i > 0) sb.append(", ");
            sb.append(paramSignature(b.params().get(i)));
        }
        return sb.append(')').toString();
    }

    static String paramSignature(Decl.Param p) {
        String s = p.name().text();
        if (p.type() != null) s += ": " + p.type().text();
        if (p.defaultValue() != null) s += " = …";
        return s;
    }

    /** The list being built: one item per label, replacing the word at the cursor. */
    private static final class Items {
        final Range replace;
        final List<CompletionItem> list = new ArrayList<>();
        final Set<String> labels = new LinkedHashSet<>();

        Items(Range replace) {
            this.replace = replace;
        }

        CompletionItem add(String label, CompletionItemKind kind, String detail, String doc, String sort) {
            return add(label, kind, detail, doc, sort, label);
        }

        CompletionItem add(String label, CompletionItemKind kind, String detail, String doc, String sort, String insert) {
            if (!labels.add(label)) return null;
            CompletionItem item = new CompletionItem(label);
            item.setKind(kind);
            item.setDetail(detail);
            if (doc != null && !doc.isBlank()) item.setDocumentation(new MarkupContent(MarkupKind.MARKDOWN, doc));
            item.setSortText(sort + label);
            item.setFilterText(label);
            item.setTextEdit(Either.forLeft(new TextEdit(replace, insert)));
            list.add(item);
            return item;
        }

        void snippet(String label, String detail, String body) {
            CompletionItem item = add(label, CompletionItemKind.Snippet, detail, null, "5", body);
            if (item != null) item.setInsertTextFormat(InsertTextFormat.Snippet);
        }

        void keyword(String label, String body, String detail) {
            CompletionItem item = add(label, CompletionItemKind.Keyword, detail, null, "4", body);
            if (item != null) item.setInsertTextFormat(InsertTextFormat.Snippet);
        }
    }

    static String show(Object v) {
        return Values.show(v);
    }
}
