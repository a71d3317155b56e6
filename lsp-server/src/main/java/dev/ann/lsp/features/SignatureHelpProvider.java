package dev.ann.lsp.features;

import dev.ann.compiler.ast.AnnFile;
import dev.ann.compiler.ast.Decl;
import dev.ann.compiler.model.CallSite;
import dev.ann.compiler.model.Cursor;
import dev.ann.compiler.spec.ArgSpec;
import dev.ann.compiler.spec.Registry;
import dev.ann.lsp.Analysis;
import dev.ann.lsp.Document;
import dev.ann.lsp.Lsp;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.eclipse.lsp4j.MarkupContent;
import org.eclipse.lsp4j.MarkupKind;
import org.eclipse.lsp4j.ParameterInformation;
import org.eclipse.lsp4j.Position;
import org.eclipse.lsp4j.SignatureHelp;
import org.eclipse.lsp4j.SignatureInformation;
import org.eclipse.lsp4j.jsonrpc.messages.Either;
import org.eclipse.lsp4j.jsonrpc.messages.Tuple;

/** The signature of the call around the cursor, its argument under the cursor highlighted. */
public final class SignatureHelpProvider {
    private SignatureHelpProvider() {}

    public static SignatureHelp help(Analysis analysis, Document doc, Position pos) {
        AnnFile file = analysis.syntax(doc);
        Analysis.Snapshot snap = analysis.latest(doc.uri());
        Registry registry = Names.registry(snap);
        Optional<CallSite> site = Cursor.callAt(file, registry, Lsp.offset(doc.source(), pos));
        if (site.isEmpty()) return null;
        CallSite s = site.get();
        List<String> names = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        List<String> docs = new ArrayList<>();
        String doc0;
        if (s.spec() != null) {
            for (ArgSpec a : s.spec().args()) {
                names.add(a.name());
                labels.add(a.signature());
                docs.add(a.doc());
            }
            doc0 = s.spec().doc();
        } else {
            Decl.Block block = null;
            for (Decl d : snap == null ? file.decls() : Names.visible(snap)) {
                if (d instanceof Decl.Block b && b.name().text().equals(s.callee())) block = b;
            }
            if (block == null) return null;
            for (Decl.Param p : block.params()) {
                names.add(p.name().text());
                labels.add(CompletionProvider.paramSignature(p));
                docs.add("");
            }
            doc0 = block.doc();
        }
        StringBuilder label = new StringBuilder(s.callee()).append('(');
        List<ParameterInformation> params = new ArrayList<>();
        for (int i = 0; i < labels.size(); i++) {
            if (i > 0) label.append(", ");
            int start = label.length();
            label.append(labels.get(i));
            ParameterInformation pi = new ParameterInformation();
            pi.setLabel(Either.forRight(Tuple.two(start, label.length())));
            if (!docs.get(i).isBlank()) pi.setDocumentation(new MarkupContent(MarkupKind.MARKDOWN, docs.get(i)));
            params.add(pi);
        }
        label.append(')');
        SignatureInformation info = new SignatureInformation(label.toString());
        if (doc0 != null && !doc0.isBlank()) info.setDocumentation(new MarkupContent(MarkupKind.MARKDOWN, doc0));
        info.setParameters(params);
        int active = s.activeName() == null ? -1 : names.indexOf(s.activeName());
        if (active < 0) active = Math.min(s.activeIndex(), Math.max(0, names.size() - 1));
        info.setActiveParameter(active);
        SignatureHelp help = new SignatureHelp(List.of(info), 0, active);
        return help;
    }
}
