package dev.ann.compiler.check;

import dev.ann.compiler.ast.Decl;
import dev.ann.compiler.ast.Expr;
import dev.ann.compiler.ast.Ident;
import dev.ann.compiler.ast.Setting;
import dev.ann.compiler.diag.Codes;
import dev.ann.compiler.diag.Fix;
import dev.ann.plan.Plan;
import dev.ann.plan.Shape;
import dev.ann.compiler.spec.ComponentSpec;
import java.util.List;
import java.util.Map;

/**
 * Checks a train block (with a profile applied, or none) against its network
 * and dataset: sample shape against input, output width against classes or
 * targets, loss against task, metrics against task, step on a trained path.
 */
final class TrainChecker {
    private final Program p;
    private final Map<String, DatasetInfo> datasets;
    private final Map<String, Graph> graphs;

    TrainChecker(Program p, Map<String, DatasetInfo> datasets, Map<String, Graph> graphs) {
        this.p = p;
        this.datasets = datasets;
        this.graphs = graphs;
    }

    /** Resolves the network and dataset names of a train block (once, recording references). */
    void resolve(TrainConfig c) {
        Decl.Train t = c.train.decl();
        c.network = ref(c, t.network(), Decl.Network.class, "network");
        Program.Global<Decl.Dataset> d = ref(c, t.dataset(), Decl.Dataset.class, "dataset");
        if (d != null) c.data = datasets.get(d.decl().name().text());
    }

    private <D extends Decl> Program.Global<D> ref(TrainConfig c, Ident id, Class<D> type, String what) {
        if (!Program.present(id)) return null;
        Loc loc = c.train.loc(id.range());
        Program.Global<?> g = p.global(id.text());
        if (g != null) p.index.reference(g.key(), c.train.source().path(), id.range());
        if (g != null && type.isInstance(g.decl())) {
            @SuppressWarnings("unchecked")
            Program.Global<D> ok = (Program.Global<D>) g;
            return ok;
        }
        if (g != null) {
            p.sink.error(Codes.WRONG_KIND, loc, id.text() + " is a " + Program.kindWord(g.decl()) + ", not a " + what
                    + "; write `train <network> on <dataset>`");
            return null;
        }
        String guess = Suggest.closest(id.text(), p.namesOf(type));
        if (guess != null) {
            p.sink.error(Codes.UNKNOWN_NAME, loc, "unknown " + what + " '" + id.text() + "'; did you mean '" + guess + "'?",
                    Sink.replace("change to '" + guess + "'", loc, guess));
        } else {
            p.sink.error(Codes.UNKNOWN_NAME, loc, "unknown " + what + " '" + id.text() + "'; declare it with `" + what + " "
                    + id.text() + " { ... }`");
        }
        return null;
    }

    void check(TrainConfig c) {
        if (c.network == null) return;
        Decl.Train t = c.train.decl();
        String trainName = c.name();
        Graph g = c.graph != null ? c.graph : graphs.get(c.network.decl().name().text());
        c.graph = g;
        if (g == null) return;
        DatasetInfo d = c.data;
        initVocabulary(c, d);
        c.sampleShape = d == null ? null : d.sampleShape;
        if (c.resize != null && c.sampleShape != null && c.sampleShape.rank() == 3) {
            c.sampleShape = Shape.of(c.sampleShape.dim(0), c.resize.get(0), c.resize.get(1));
        }
        // Sample shape against the network's input.
        if (d != null && c.sampleShape != null && g.input != null && !c.sampleShape.equals(g.input)) {
            Fix fix = g.inputLoc == null ? null : Sink.replace("set input to " + c.sampleShape, g.inputLoc, c.sampleShape.toString());
            String msg = "network " + g.network + " takes samples of " + g.input + " but dataset " + d.name + " gives "
                    + c.sampleShape + "; set the network's input to " + c.sampleShape;
            Loc at = c.train.loc(t.dataset().range());
            if (fix != null && c.resize == null) p.sink.error(Codes.SAMPLE_SHAPE, at, msg, fix);
            else p.sink.error(Codes.SAMPLE_SHAPE, at, msg);
        }
        // The loss and the task.
        SettingsReader.Read lossRead = c.settings.get("loss");
        String loss = lossRead != null && lossRead.value() instanceof Map<?, ?> m ? (String) m.get("kind") : null;
        if (lossRead == null) {
            missingLoss(c, d);
            return;
        }
        Graph.Node last = g.last();
        String lastKind = last == null ? null : last.kind;
        String labels = d == null ? null : d.labelKind;
        if (loss == null) return;
        String lossTask = p.registry.find(dev.ann.compiler.spec.Category.LOSS, loss).map(s -> ((ComponentSpec) s).task()).orElse("regression");
        Loc lossLoc = lossRead.valueLoc();
        boolean fits = true;
        if ("targets".equals(labels) && !lossTask.equals("regression")) {
            p.sink.error(Codes.LOSS_TASK, lossLoc, loss + " is a classification loss, but dataset " + d.name + " has regression "
                    + "targets (" + d.labelOrigin + "); use mse, mae or huber", Sink.replace("use mse", lossLoc, "mse"));
            fits = false;
        } else if ("classes".equals(labels) && lossTask.equals("binary") && d.numClasses > 2) {
            p.sink.error(Codes.LOSS_TASK, lossLoc, "binary_cross_entropy is for two classes, but dataset " + d.name + " has "
                    + d.numClasses + "; use cross_entropy with one output per class",
                    Sink.replace("use cross_entropy", lossLoc, "cross_entropy"));
            fits = false;
        }
        if (!fits) {
            // Go on with the task the data say, so that metrics are still checked.
            c.task = "targets".equals(labels) ? Plan.Task.REGRESSION : Plan.Task.CLASSIFICATION;
            metrics(c);
            return;
        }
        c.task = switch (lossTask) {
            case "classification" -> Plan.Task.CLASSIFICATION;
            case "binary" -> Plan.Task.BINARY;
            default -> "classes".equals(labels) ? Plan.Task.CLASSIFICATION : Plan.Task.REGRESSION;
        };
        if (!lossTask.equals("classification") && "softmax".equals(lastKind)) {
            p.sink.warning(Codes.MSE_AFTER_SOFTMAX, lossLoc, loss + " after a final softmax learns slowly (its gradient vanishes "
                    + "as the probabilities saturate); for classes use cross_entropy", Sink.replace("use cross_entropy", lossLoc,
                    "cross_entropy"));
        }
        outputWidth(c, g, d, loss);
        metrics(c);
        monitors(c, d);
        for (Graph.Node n : g.nodes) {
            if (n.spec != null && !n.spec.differentiable() && g.trainedBefore(n)) {
                p.sink.warning(Codes.STEP_TRAINED, n.site, n.kind + " has no useful gradient: train " + trainName + " cannot "
                        + "train the layers before it by gradient descent; use sigmoid (its smooth approximation) while training",
                        n.site == n.loc ? new Fix[] {Sink.replace("use sigmoid", n.loc.at(new dev.ann.compiler.ast.Range(
                                n.loc.range().start(), n.loc.range().start() + n.kind.length())), "sigmoid")} : new Fix[0]);
            }
        }
    }

    private void missingLoss(TrainConfig c, DatasetInfo d) {
        Decl.Train t = c.train.decl();
        String suggestion = d != null && "targets".equals(d.labelKind) ? "mse" : "cross_entropy";
        Loc at = c.train.loc(t.name().range());
        List<Setting> settings = t.settings();
        if (!settings.isEmpty()) {
            int off = settings.get(0).range().start();
            String indent = Elaborator.indentAt(c.train.source(), off);
            p.sink.error(Codes.MISSING_SETTING, at, "train " + c.name() + " needs a loss: add `loss " + suggestion + "`",
                    Sink.insert("add loss " + suggestion, at, off, "loss " + suggestion + "\n" + indent));
        } else {
            p.sink.error(Codes.MISSING_SETTING, at, "train " + c.name() + " needs a loss: add `loss " + suggestion + "`");
        }
    }

    private void outputWidth(TrainConfig c, Graph g, DatasetInfo d, String loss) {
        if (g.output == null || d == null) return;
        Loc at = c.train.loc(c.train.decl().network().range());
        if (g.output.rank() == 2) {
            sequenceOutput(c, g, at);
            return;
        }
        if (g.output.rank() != 1) {
            p.sink.error(Codes.OUTPUT_WIDTH, at, "network " + g.network + " outputs " + g.output + " per sample; for training "
                    + "it must end in a flat vector: add flatten and a dense layer at its end");
            return;
        }
        int width = g.output.dim(0);
        int want;
        String what;
        if (c.task == Plan.Task.BINARY) {
            want = 1;
            what = "binary_cross_entropy needs one output (the probability of the second class)";
        } else if (c.task == Plan.Task.CLASSIFICATION) {
            if (d.numClasses <= 0) return;
            want = d.numClasses;
            what = "dataset " + d.name + " has " + d.numClasses + " classes";
            if (width == 1 && d.numClasses == 2) {
                what += "; with one output, use binary_cross_entropy and a final sigmoid";
            }
        } else {
            if (d.targetWidth <= 0) return;
            want = d.targetWidth;
            what = "dataset " + d.name + " has " + d.targetWidth + " target value" + (d.targetWidth == 1 ? "" : "s") + " per sample";
        }
        if (width == want) return;
        Fix fix = null;
        Graph.Node dense = lastWithParams(g);
        if (dense != null && dense.kind.equals("dense") && dense.site == dense.loc && dense.argRanges.containsKey("units")) {
            fix = Sink.replace("make it dense(" + want + ")", dense.loc.at(dense.argRanges.get("units")), String.valueOf(want));
        }
        String msg = "network " + g.network + " outputs " + width + " value" + (width == 1 ? "" : "s") + " per sample but "
                + what + "; make its last layer output " + want;
        if (fix != null) p.sink.error(Codes.OUTPUT_WIDTH, at, msg, fix);
        else p.sink.error(Codes.OUTPUT_WIDTH, at, msg);
    }

    /**
     * A network that ends in a sequence {@code [T, F]}: training needs one vector per sample. The fix turns
     * the last recurrent layer's {@code sequences: true} off when nothing after it but dense layers and
     * activations keeps the steps; else it inserts {@code globalavgpool} before the last dense layer.
     */
    private void sequenceOutput(TrainConfig c, Graph g, Loc at) {
        String task = c.task == Plan.Task.REGRESSION ? "a regression" : "a classifier";
        String msg = "network " + g.network + " outputs a sequence " + g.output + " per sample (a vector per step), but "
                + task + " needs one vector per sample; pool over time with `globalavgpool` (or `globalmaxpool`) before "
                + "the last dense layer, or end the recurrent layer with `sequences: false` (only its last step)";
        Fix fix = null;
        Graph.Node recurrent = null;
        for (int i = g.nodes.size() - 1; i >= 0; i--) {
            Graph.Node n = g.nodes.get(i);
            if (n.kind.equals("lstm") || n.kind.equals("gru")) {
                recurrent = n;
                break;
            }
            boolean stepwise = n.kind.equals("dense") || n.kind.equals("dropout") || n.kind.equals("layernorm")
                    || (n.spec != null && n.spec.category() == dev.ann.compiler.spec.Category.ACTIVATION);
            if (!stepwise) break;
        }
        if (recurrent != null && Boolean.TRUE.equals(recurrent.args.get("sequences"))
                && recurrent.site == recurrent.loc && recurrent.argRanges.containsKey("sequences")) {
            msg = "network " + g.network + " outputs a sequence " + g.output + " per sample, because its " + recurrent.kind
                    + " at line " + recurrent.loc.line() + " passes on every step (`sequences: true`), but " + task
                    + " needs one vector per sample; set `sequences: false` to keep only its last step, or pool over time "
                    + "with `globalavgpool` before the last dense layer";
            fix = Sink.replace("set sequences: false", recurrent.loc.at(recurrent.argRanges.get("sequences")), "false");
        } else {
            Graph.Node dense = lastWithParams(g);
            if (dense != null && dense.kind.equals("dense") && dense.site == dense.loc) {
                dev.ann.compiler.ast.SourceFile src = dense.loc.source();
                int start = dense.loc.range().start();
                String indent = Elaborator.indentAt(src, start);
                if (src.column(start) == indent.length()) {   // the call starts its line: no label before it
                    fix = Sink.insert("insert globalavgpool", dense.loc, start, "globalavgpool\n" + indent);
                }
            }
        }
        if (fix != null) p.sink.error(Codes.SEQUENCE_OUTPUT, at, msg, fix);
        else p.sink.error(Codes.SEQUENCE_OUTPUT, at, msg);
    }

    private static Graph.Node lastWithParams(Graph g) {
        for (int i = g.nodes.size() - 1; i >= 0; i--) {
            Graph.Node n = g.nodes.get(i);
            if (n.params > 0) return n;
            if (n.spec == null || !(n.spec.category() == dev.ann.compiler.spec.Category.ACTIVATION
                    || n.kind.equals("dropout"))) return null;
        }
        return null;
    }

    private void metrics(TrainConfig c) {
        SettingsReader.Read r = c.settings.get("metrics");
        if (r == null || !(r.value() instanceof List<?> names) || c.task == null) return;
        List<Setting.Clause> clauses = r.setting().clauses();
        for (int i = 0; i < names.size() && i < clauses.size(); i++) {
            String m = String.valueOf(names.get(i));
            Loc at = r.loc().at(clauses.get(i).range());
            metricFits(c, m, at);
        }
    }

    private boolean metricFits(TrainConfig c, String monitor, Loc at) {
        ComponentSpec spec = p.registry.metric(monitor).orElse(null);
        if (spec == null || c.task == null) return true;
        boolean regression = c.task == Plan.Task.REGRESSION;
        if (spec.task().equals("classification") && regression) {
            p.sink.error(Codes.METRIC_TASK, at, monitor + " measures classification, but train " + c.name() + " is a regression; "
                    + "use loss, mae or r2");
            return false;
        }
        if (spec.task().equals("regression") && !regression) {
            p.sink.error(Codes.METRIC_TASK, at, monitor + " measures regression, but train " + c.name() + " is a classification; "
                    + "use accuracy, precision, recall, f1 or loss");
            return false;
        }
        return true;
    }

    private void monitors(TrainConfig c, DatasetInfo d) {
        SettingsReader.Read es = c.settings.get("early_stopping");
        if (es != null && es.value() instanceof Map<?, ?> m && m.get("monitor") instanceof String mon) {
            Loc at = es.loc().at(argRange(es.setting(), "monitor", es.loc().range()));
            if (metricFits(c, mon, at)) noValidation(c, d, mon, at);
        }
        SettingsReader.Read ck = c.settings.get("checkpoint");
        if (ck != null && ck.value() instanceof Map<?, ?> m && m.get("keep_best") instanceof String mon) {
            Loc at = ck.valueLoc();
            if (metricFits(c, mon, at)) noValidation(c, d, mon, at);
        }
    }

    /**
     * {@code init from} a checkpoint (there now) that keeps no vocabulary of words, under a dataset with a tokens
     * line: its embedding's rows will meet ids they were not trained on (W007). Only the header is read; a file
     * that cannot be read is ann train's to report.
     */
    private void initVocabulary(TrainConfig c, DatasetInfo d) {
        SettingsReader.Read r = c.settings.get("init");
        if (r == null || !(r.value() instanceof String f) || d == null || d.tokens == null) return;
        java.nio.file.Path path = java.nio.file.Path.of(f);
        java.nio.file.Path folder = r.valueLoc().source().path().toAbsolutePath().getParent();
        if (!path.isAbsolute() && folder != null) path = folder.resolve(path).normalize();
        if (!java.nio.file.Files.isRegularFile(path)) return;
        Vocabulary v = vocabularyOf(path);
        if (v == Vocabulary.NUMBERS) {
            p.sink.warning(Codes.INIT_VOCABULARY, r.valueLoc(), path + " keeps no vocabulary of words: it reads ids written as numbers (a model "
                    + "imported without its .vocab.json); dataset " + d.name + "'s texts must be the model's ids, else they will not match its "
                    + "embedding: put the model's .vocab.json beside the .onnx and import it again");
        } else if (v == Vocabulary.NONE) {
            p.sink.warning(Codes.INIT_VOCABULARY, r.valueLoc(), path + " keeps no vocabulary, so dataset " + d.name + "'s texts get the ids of "
                    + "one fitted anew, which do not match its embedding's rows; init from a checkpoint that keeps its vocabulary (ann train's, "
                    + "or ann import's with the model's .vocab.json beside the .onnx), or train anew");
        }
    }

    /** What a checkpoint's header says of its vocabulary: none, ids written as numbers, words (or unreadable: ann train reports it). */
    private enum Vocabulary { NONE, NUMBERS, WORDS_OR_UNREADABLE }

    private record Seen(java.nio.file.Path path, long modified, long size) {}

    /**
     * The last few checkpoints' answers, by file version: the editor checks on every keystroke, and a header may be
     * up to {@link dev.ann.kernels.CheckpointFile#MAX_HEADER} bytes; each version of a file is read and parsed once.
     */
    private static final Map<Seen, Vocabulary> SEEN = java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>(16, 0.75f, true) {
        @Override protected boolean removeEldestEntry(Map.Entry<Seen, Vocabulary> eldest) {
            return size() > 16;
        }
    });

    private static Vocabulary vocabularyOf(java.nio.file.Path path) {
        Seen key;
        try {
            key = new Seen(path, java.nio.file.Files.getLastModifiedTime(path).toMillis(), java.nio.file.Files.size(path));
        } catch (java.io.IOException e) {
            return Vocabulary.WORDS_OR_UNREADABLE;
        }
        return SEEN.computeIfAbsent(key, k -> readVocabulary(path));
    }

    private static Vocabulary readVocabulary(java.nio.file.Path path) {
        com.google.gson.JsonElement text;
        try (dev.ann.kernels.CheckpointFile.Reader in = new dev.ann.kernels.CheckpointFile.Reader(path)) {
            com.google.gson.JsonElement h = com.google.gson.JsonParser.parseString(in.header());
            if (!h.isJsonObject()) return Vocabulary.WORDS_OR_UNREADABLE;
            text = h.getAsJsonObject().get("text");
        } catch (java.io.IOException | RuntimeException e) {
            return Vocabulary.WORDS_OR_UNREADABLE;
        }
        if (text == null || !text.isJsonObject()) return Vocabulary.NONE;
        com.google.gson.JsonElement ids = text.getAsJsonObject().get("ids_from_2");
        if (ids == null || !ids.isJsonArray()) return Vocabulary.WORDS_OR_UNREADABLE;
        List<String> tokens = new java.util.ArrayList<>();
        for (com.google.gson.JsonElement e : ids.getAsJsonArray()) tokens.add(e.isJsonPrimitive() ? e.getAsString() : "");
        return dev.ann.kernels.Tokenizer.readsNumbers(tokens) ? Vocabulary.NUMBERS : Vocabulary.WORDS_OR_UNREADABLE;
    }

    private void noValidation(TrainConfig c, DatasetInfo d, String monitor, Loc at) {
        if (d == null || !monitor.startsWith("val_") || d.hasValidation()) return;
        p.sink.warning(Codes.NO_VALIDATION, at, monitor + " is measured on validation data, but dataset " + d.name
                + " has none; add `validation 10%` to it (or watch " + monitor.substring(4) + ")");
    }

    private static dev.ann.compiler.ast.Range argRange(Setting s, String name, dev.ann.compiler.ast.Range fallback) {
        for (var a : s.call().args()) if (a.name() != null && a.name().text().equals(name)) return a.value().range();
        return s.call().args().isEmpty() ? fallback : s.call().range();
    }

    static boolean isName(Expr e, String text) {
        return e instanceof Expr.Name n && n.name().text().equals(text);
    }
}
