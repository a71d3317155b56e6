package dev.ann.compiler.check;

import dev.ann.compiler.ast.Range;
import dev.ann.compiler.diag.Diagnostic;
import dev.ann.compiler.diag.Fix;
import dev.ann.compiler.diag.Severity;
import dev.ann.compiler.diag.TextEdit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Collects diagnostics. While a block is being expanded at a use site, what
 * goes wrong inside it is reported at the use site (the block may be fine for
 * other uses), naming the block, with the place inside it as related
 * information; problems that the block has whatever its arguments are were
 * reported on the block itself already and are not repeated.
 */
final class Sink {
    private final Map<String, Diagnostic> out = new LinkedHashMap<>();
    private final Deque<Site> sites = new ArrayDeque<>();
    /** Keys of diagnostics reported by the standalone check of block bodies. */
    private final Set<String> standalone;
    private boolean recordingStandalone;

    record Site(Loc use, String block) {}

    Sink() {
        this(new HashSet<>());
    }

    private Sink(Set<String> standalone) {
        this.standalone = standalone;
    }

    /** A sink for a re-check (a profile, a plan) that shares what the block checks reported. */
    Sink fresh() {
        return new Sink(standalone);
    }

    void standalone(boolean on) {
        recordingStandalone = on;
    }

    void enter(Loc use, String block) {
        sites.push(new Site(use, block));
    }

    void exit() {
        sites.pop();
    }

    /** The use site in the network of the block being expanded, or null outside blocks. */
    Loc outerSite() {
        return sites.isEmpty() ? null : sites.peekLast().use();
    }

    boolean insideBlock() {
        return !sites.isEmpty();
    }

    void error(String code, Loc loc, String message, Fix... fixes) {
        report(Severity.ERROR, code, loc, message, List.of(fixes), List.of());
    }

    void warning(String code, Loc loc, String message, Fix... fixes) {
        report(Severity.WARNING, code, loc, message, List.of(fixes), List.of());
    }

    void report(Severity sev, String code, Loc loc, String message, List<Fix> fixes, List<Diagnostic.Related> related) {
        if (loc == null || loc.source() == null) return;
        String key = code + "|" + loc.source().path() + "|" + loc.range();
        if (recordingStandalone) standalone.add(key);
        if (!sites.isEmpty()) {
            if (standalone.contains(key)) return;
            Site outer = sites.peekLast();
            StringBuilder path = new StringBuilder();
            for (var it = sites.descendingIterator(); it.hasNext(); ) {
                Site s = it.next();
                if (path.length() > 0) path.append(" → ");
                path.append(s.block());
            }
            List<Diagnostic.Related> rel = new ArrayList<>(related);
            rel.add(new Diagnostic.Related(loc.source(), loc.range(), "here, in block " + sites.peek().block()));
            loc = outer.use();
            message = "in block " + path + ": " + message;
            related = rel;
        }
        Diagnostic d = new Diagnostic(sev, code, message, loc.source(), loc.range(), fixes, related);
        out.putIfAbsent(d.source().path() + "|" + d.range() + "|" + code + "|" + message, d);
    }

    void add(Diagnostic d) {
        out.putIfAbsent(d.source().path() + "|" + d.range() + "|" + d.code() + "|" + d.message(), d);
    }

    List<Diagnostic> all() {
        return new ArrayList<>(out.values());
    }

    boolean hasErrors() {
        return out.values().stream().anyMatch(Diagnostic::isError);
    }

    static Fix replace(String title, Loc loc, String text) {
        return new Fix(title, List.of(new TextEdit(loc.source().path(), loc.range(), text)));
    }

    static Fix insert(String title, Loc loc, int offset, String text) {
        return new Fix(title, List.of(new TextEdit(loc.source().path(), new Range(offset, offset), text)));
    }
}
