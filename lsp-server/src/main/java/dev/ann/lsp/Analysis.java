package dev.ann.lsp;

import dev.ann.compiler.Compilation;
import dev.ann.compiler.Compiler;
import dev.ann.compiler.Workspace;
import dev.ann.compiler.ast.AnnFile;
import dev.ann.compiler.ast.SourceFile;
import dev.ann.compiler.diag.Diagnostic;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The diagnostics pipeline. An edit schedules a check of its file (and of the
 * open files that import it) {@code debounceMs} after the last keystroke; a
 * newer edit cancels the pending check, and a check whose document changed
 * while it ran is thrown away instead of published. Checks run one at a time
 * on one thread, so the compiler never sees two at once; a check that is
 * running when a newer text of its document arrives gives up between two
 * declarations (cooperative cancellation), so that the newer one starts at
 * once. Parsing is incremental (see {@link Workspace#parse}).
 */
public final class Analysis {

    /** What one check of one open document found. */
    public record Snapshot(Document document, AnnFile parsed, Compilation compilation, List<Diagnostic> diagnostics) {
        public SourceFile source() {
            return document.source();
        }

        /** The source of any file of the compilation (imports included), or null. */
        public SourceFile source(Path path) {
            if (path.equals(document.path())) return document.source();
            return compilation == null ? null : compilation.source(path);
        }
    }

    private final Workspace workspace = new Workspace();
    private final Map<String, Document> documents = new ConcurrentHashMap<>();
    private final Map<String, Snapshot> latest = new ConcurrentHashMap<>();
    private final Map<String, ScheduledFuture<?>> pending = new ConcurrentHashMap<>();
    /** Documents whose text did not change but a file they import did: their next check is not skipped. */
    private final java.util.Set<String> outdated = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ann-analysis");
        t.setDaemon(true);
        return t;
    });
    private static final long MODEL_DELAY_MS = 300;
    private final Map<String, ScheduledFuture<?>> modelPending = new ConcurrentHashMap<>();
    private final java.util.concurrent.ScheduledThreadPoolExecutor modelThread = new java.util.concurrent.ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "ann-model");
        t.setDaemon(true);
        return t;
    });
    private final BiConsumer<Document, List<Diagnostic>> publish;
    private final Consumer<String> log;
    private volatile long debounceMs = 100;
    /** {@code -Dann.lsp.timing=true}: print (to stderr) how long each check's parse and check took. */
    private static final boolean TIMING = Boolean.getBoolean("ann.lsp.timing");
    private final java.util.concurrent.atomic.AtomicInteger cancelled = new java.util.concurrent.atomic.AtomicInteger();

    public Analysis(BiConsumer<Document, List<Diagnostic>> publish, Consumer<String> log) {
        this.publish = publish;
        this.log = log;
        modelThread.setRemoveOnCancelPolicy(true);
        // First task of the analysis thread, while the JVM is still setting up the connection: the
        // first parse and check of any file pay for loading the compiler's classes, ANTLR's grammar
        // tables and its first predictions; pay them on a small file now, not on the user's first one.
        thread.execute(Analysis::warmUp);
    }

    /** A text that goes through every kind of declaration and most layer forms. */
    static final String WARM_UP = """
            /// warm-up
            const width = 8
            block Res(w: int = 4) {
                residual {
                    dense(w) -> relu
                    dropout(0.1)
                }
            }
            network Net {
                input [1, 8, 8]
                conv2d(4, kernel: 3, padding: same) -> relu
                parallel concat {
                    branch { maxpool(2) }
                    branch { avgpool(2) }
                }
                flatten
                h = dense(width) -> relu
                Res(width)
                dense(2) -> softmax
            }
            train t = Net on Missing {
                loss cross_entropy
                optimizer adam(lr: 1e-3)
                batch 16
                epochs 1 + 2
                metrics accuracy, loss
            }
            profile dev {
                epochs 1
            }
            """;

    /** Parses, checks and models {@link #WARM_UP} (and an edit of it) in a workspace of its own. */
    public static void warmUp() {
        try {
            Workspace w = new Workspace();
            Path p = Workspace.normalize(Path.of("ann-warm-up", "warm-up.ann"));
            for (String text : List.of(WARM_UP, WARM_UP.replace("width = 8", "width = 16"))) {
                w.open(p, text);
                w.parse(p, text);
                Compiler.compile(w, p).model().symbols(p);
            }
        } catch (RuntimeException | StackOverflowError e) {
            // only a head start: the real checks report their own problems
        }
    }

    public void setDebounceMs(long ms) {
        debounceMs = ms;
    }

    public Workspace workspace() {
        return workspace;
    }

    public Document document(String uri) {
        return documents.get(uri);
    }

    public List<Document> documents() {
        return new ArrayList<>(documents.values());
    }

    public void opened(Document d) {
        documents.put(d.uri(), d);
        workspace.open(d.path(), d.text());
        schedule(d.uri(), 0);
        scheduleDependents(d);
    }

    public void changed(Document d) {
        documents.put(d.uri(), d);
        workspace.open(d.path(), d.text());
        schedule(d.uri(), debounceMs);
        scheduleDependents(d);
    }

    public void closed(String uri) {
        Document d = documents.remove(uri);
        latest.remove(uri);
        ScheduledFuture<?> f = pending.remove(uri);
        if (f != null) f.cancel(false);
        if (d != null) {
            workspace.close(d.path());
            scheduleDependents(d);
        }
    }

    /** A file changed on disk (saved elsewhere, created, deleted): re-check the open files that use it. */
    public void changedOnDisk(Path path) {
        for (Snapshot s : latest.values()) {
            if (s.compilation() != null && s.compilation().file(path) != null) {
                outdated.add(s.document().uri());
                schedule(s.document().uri(), debounceMs);
            }
        }
    }

    private void scheduleDependents(Document d) {
        for (Snapshot s : latest.values()) {
            if (s.document().uri().equals(d.uri())) continue;
            if (s.compilation() != null && s.compilation().file(d.path()) != null) {
                outdated.add(s.document().uri());
                schedule(s.document().uri(), debounceMs);
            }
        }
    }

    private void schedule(String uri, long delay) {
        pending.compute(uri, (k, old) -> {
            if (old != null) old.cancel(false);
            return thread.schedule(() -> {
                check(uri, true);
            }, delay, TimeUnit.MILLISECONDS);
        });
    }

    /**
     * The syntax of a document as it is now, cheaply: the latest check's tree
     * when the text has not changed since, else the text alone (no
     * declarations), which is all that {@link dev.ann.compiler.model.Cursor}
     * needs; it then lexes from the start of the file instead of parsing it.
     */
    public AnnFile syntax(Document d) {
        Snapshot s = latest.get(d.uri());
        if (s != null && s.parsed().source().text().equals(d.text())) return s.parsed();
        return new AnnFile(d.source(), List.of(), List.of());
    }

    /** The latest check of a document, whatever its version (null before the first). */
    public Snapshot latest(String uri) {
        return latest.get(uri);
    }

    /**
     * A check of the document as it is now: the latest one if it is current,
     * else one made now (on the analysis thread, after the one running).
     */
    public Snapshot fresh(String uri) {
        Document d = documents.get(uri);
        Snapshot s = latest.get(uri);
        if (d == null) return s;
        if (s != null && !outdated.contains(uri) && s.document().version() == d.version()
                && s.document().text().equals(d.text())) {
            return s;
        }
        try {
            return thread.submit(() -> check(uri, true)).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return latest.get(uri);
        } catch (ExecutionException | TimeoutException e) {
            log.accept("ann: checking " + uri + " failed: " + e);
            return latest.get(uri);
        }
    }

    /** Runs on the analysis thread. */
    private Snapshot check(String uri, boolean publishIt) {
        Document d = documents.get(uri);
        if (d == null) return null;
        Snapshot old = latest.get(uri);
        boolean forced = outdated.remove(uri);
        if (!forced && old != null && old.document().version() == d.version() && old.document().text().equals(d.text())) {
            return old;
        }
        long t0 = System.nanoTime();
        // a document over the size limit is not parsed: the compile below says why, on its first line
        AnnFile parsed = dev.ann.compiler.diag.Limits.tooLarge(d.text())
                ? new AnnFile(d.source(), List.of(), List.of()) : workspace.parse(d.path(), d.text());
        long t1 = System.nanoTime();
        Compilation compilation = null;
        List<Diagnostic> diagnostics;
        try {
            // gives up between declarations when a newer text of the document arrives
            compilation = Compiler.compile(workspace, d.path(), () -> {
                Document now = documents.get(uri);
                return now == null || now.version() != d.version();
            });
            diagnostics = compilation.diagnostics(d.path());
        } catch (java.util.concurrent.CancellationException newer) {
            cancelled.incrementAndGet();
            if (TIMING) System.err.println(String.format(java.util.Locale.ROOT, "ann: check of %s v%d abandoned after %.1f ms (a newer text came)",
                    d.path().getFileName(), d.version(), (System.nanoTime() - t0) / 1e6));
            return latest.get(uri);
        } catch (UnsupportedOperationException notYet) {
            diagnostics = parsed.syntaxErrors();     // no checker in this build: syntax errors only
        } catch (RuntimeException | StackOverflowError e) {
            log.accept("ann: the checker failed on " + d.path() + ": " + e);
            diagnostics = parsed.syntaxErrors();
        }
        if (TIMING) {
            System.err.println(String.format(java.util.Locale.ROOT, "ann: checked %s v%d: parse %.1f ms, check %.1f ms",
                    d.path().getFileName(), d.version(), (t1 - t0) / 1e6, (System.nanoTime() - t1) / 1e6));
        }
        Snapshot s = new Snapshot(d, parsed, compilation, diagnostics);
        Document now = documents.get(uri);
        if (now == null || now.version() != d.version()) return s; // stale: a newer check is on its way
        latest.put(uri, s);
        if (publishIt) publish.accept(d, diagnostics);
        if (compilation != null) {
            // The semantic model (hover, symbols, inlay hints) is made on first use; make it ahead when
            // the user pauses, not while typing, where it would take a core from the next check. The
            // task holds the uri and version only: a compilation is big, and while typing there is a
            // new one every few tens of milliseconds.
            int version = d.version();
            ScheduledFuture<?> previous = modelPending.put(uri, modelThread.schedule(() -> {
                Snapshot cur = latest.get(uri);
                if (cur != null && cur.document().version() == version && cur.compilation() != null) {
                    cur.compilation().model();
                }
            }, MODEL_DELAY_MS, TimeUnit.MILLISECONDS));
            if (previous != null) previous.cancel(false);
        }
        return s;
    }

    /** Model builds waiting for a pause in typing (at most one per open document). */
    int pendingModelBuilds() {
        return modelThread.getQueue().size();
    }

    /** How many checks were abandoned because a newer text came. */
    public int cancelledChecks() {
        return cancelled.get();
    }

    public void shutdown() {
        thread.shutdownNow();
        modelThread.shutdownNow();
    }
}
