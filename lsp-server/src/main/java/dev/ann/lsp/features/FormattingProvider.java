package dev.ann.lsp.features;

import dev.ann.compiler.format.Formatter;
import dev.ann.lsp.Document;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.lsp4j.Position;
import org.eclipse.lsp4j.Range;
import org.eclipse.lsp4j.TextEdit;

/**
 * Document and range formatting with the same formatter as {@code ann fmt}.
 * The edits are the changed lines only (a line diff), so cursors and marks
 * elsewhere stay put; range formatting keeps the edits that touch the range.
 */
public final class FormattingProvider {
    private FormattingProvider() {}

    public static List<TextEdit> format(Document doc, Range range) {
        Formatter.Result r = Formatter.format(doc.source());
        if (!r.ok() || r.text().equals(doc.text())) return List.of();
        List<String> a = lines(doc.text());
        List<String> b = lines(r.text());
        List<TextEdit> edits = new ArrayList<>();
        List<LineDiff.Hunk> hunks = new ArrayList<>();
        for (LineDiff.Hunk h : LineDiff.diff(a, b)) {
            // a run of lines changed one for one becomes one edit per line, so that a range can pick lines
            if (h.aEnd() - h.aStart() == h.bEnd() - h.bStart()) {
                for (int i = 0; i < h.aEnd() - h.aStart(); i++) {
                    hunks.add(new LineDiff.Hunk(h.aStart() + i, h.aStart() + i + 1, h.bStart() + i, h.bStart() + i + 1));
                }
            } else {
                hunks.add(h);
            }
        }
        for (LineDiff.Hunk h : hunks) {
            if (range != null && (h.aEnd() <= range.getStart().getLine() || h.aStart() > range.getEnd().getLine())) {
                continue;
            }
            StringBuilder text = new StringBuilder();
            for (int i = h.bStart(); i < h.bEnd(); i++) text.append(b.get(i));
            edits.add(new TextEdit(new Range(new Position(h.aStart(), 0), new Position(h.aEnd(), 0)), text.toString()));
        }
        return edits;
    }

    /** Lines with their line ends, and a last line without one if the text does not end in one. */
    static List<String> lines(String text) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                out.add(text.substring(start, i + 1));
                start = i + 1;
            }
        }
        if (start < text.length()) out.add(text.substring(start));
        return out;
    }
}
