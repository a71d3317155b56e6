package dev.ann.compiler.check;

import dev.ann.compiler.ast.Decl;
import dev.ann.compiler.diag.Codes;
import dev.ann.plan.Shape;
import dev.ann.compiler.spec.Category;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Checks a dataset: its settings, that its files exist, and what they hold:
 * the sample shape (CSV feature columns, IDX header, picture size) and the
 * labels (classes and how many, or target width).
 */
final class DatasetChecker {
    private final Program p;

    DatasetChecker(Program p) {
        this.p = p;
    }

    DatasetInfo check(Program.Global<Decl.Dataset> g) {
        Decl.Dataset d = g.decl();
        DatasetInfo info = new DatasetInfo(d.name().text());
        Map<String, SettingsReader.Read> s = new SettingsReader(p).read(d.settings(), Category.DATASET_SETTING, g.source(),
                "dataset " + d.name().text());
        Path folder = g.source().path().getParent();
        List<SettingsReader.Read> sourceReads = new ArrayList<>();
        for (String role : List.of("source", "train", "validation", "test")) {
            SettingsReader.Read r = s.get(role);
            if (r != null && r.value() instanceof SettingsReader.Source src) {
                SettingsReader.Source abs = absolute(src, folder);
                info.sources.add(abs);
                sourceReads.add(r);
                if (role.equals("validation")) info.validationSource = true;
            }
        }
        boolean anyRead = s.containsKey("source") || s.containsKey("train");
        if (!anyRead) {
            p.sink.error(Codes.NO_SOURCE, g.loc(d.name().range()), "dataset " + d.name().text() + " has no training samples; "
                    + "add a source such as `csv(\"data.csv\", header: true, features: 0..3, label: 4)` or `train idx(images, labels)`");
        }
        if (s.containsKey("source") && (s.containsKey("train") || s.containsKey("test"))) {
            p.sink.error(Codes.BAD_SPLIT, s.get("source").loc(), "give either one source to split, or train/test sources, not both");
        }
        if (s.get("validation") != null && s.get("validation").value() instanceof Double v) info.validation = v;
        if (s.get("split") != null && s.get("split").value() instanceof Map<?, ?> m) {
            @SuppressWarnings("unchecked")
            Map<String, Double> split = (Map<String, Double>) m;
            info.split = split;
            if (!s.containsKey("source") && anyRead) {
                p.sink.error(Codes.BAD_SPLIT, s.get("split").loc(), "split divides one source; this dataset gives train "
                        + "and test sources already: remove the split, or give one source");
            }
            if (info.validation > 0 && split.containsKey("validation")) {
                p.sink.error(Codes.BAD_SPLIT, s.get("validation").loc(), "validation is given by the split already; remove this line");
            }
        }
        if (s.get("scale") != null && s.get("scale").value() instanceof Double f) info.scale = f;
        if (s.get("normalize") != null && s.get("normalize").value() instanceof String n) info.normalize = n;
        if (s.get("shuffle") != null && s.get("shuffle").value() instanceof Map<?, ?> m) {
            info.shuffle = !Boolean.FALSE.equals(m.get("enabled"));
            if (m.get("seed") instanceof Number n) info.shuffleSeed = n.intValue();
        }
        if (s.get("tokens") != null && s.get("tokens").value() instanceof Map<?, ?> m) info.tokens = cast(m);
        info.tokensLine = s.containsKey("tokens");
        if (s.get("window") != null && s.get("window").value() instanceof Map<?, ?> m) info.window = cast(m);
        // What the files hold.
        missing = false;
        for (int i = 0; i < info.sources.size(); i++) probe(info, info.sources.get(i), sourceReads.get(i));
        if (missing) {
            // a file not there (E043): the classes the others show may not be all of them, so none are taken from
            // the files (as for a file that is not read now), lest the network's output be called wrong for it
            // (eval and predict of a trained model go on without its training file)
            info.numClasses = 0;
            info.classNames = List.of();
        }
        sequences(info, s);
        // Declared labels override what the files suggest.
        SettingsReader.Read labels = s.get("labels");
        if (labels != null && labels.value() instanceof String k) {
            if (k.equals("targets") && "classes".equals(info.labelKind)) {
                info.labelKind = "targets";
                info.targetWidth = 1;
                info.numClasses = 0;
                info.classNames = List.of();
                info.labelOrigin = "labels targets";
            }
        }
        SettingsReader.Read classes = s.get("classes");
        if (classes != null && classes.value() != null) {
            int found = info.numClasses;
            if ("targets".equals(info.labelKind)) {
                p.sink.error(Codes.LABELS, classes.loc(), "dataset " + info.name + " has regression targets ("
                        + info.labelOrigin + "); classes applies to class labels: remove it, or use `label:` in the source");
            } else {
                if (classes.value() instanceof Integer n) {
                    info.numClasses = n;
                    info.classNames = List.of();
                } else if (classes.value() instanceof List<?> names) {
                    info.classNames = names.stream().map(String::valueOf).toList();
                    info.numClasses = names.size();
                }
                info.labelKind = "classes";
                info.labelOrigin = "classes";
                List<String> unknown = info.labelNames.keySet().stream().filter(v -> !info.classNames.contains(v)).toList();
                if (classes.value() instanceof List<?> && !unknown.isEmpty()) {
                    // where, not what: the label column's values are a data file's text, and any file can be named
                    DatasetInfo.Where where = unknown.stream().map(info.labelNames::get)
                            .min(java.util.Comparator.comparingInt(DatasetInfo.Where::row)).orElseThrow();
                    p.sink.error(Codes.LABELS, classes.valueLoc(), unknown.size() + " label value"
                            + (unknown.size() == 1 ? " of " + info.name + " is" : "s of " + info.name + " are")
                            + " not among the classes listed (the first in " + where.file() + ", data row " + where.row() + "); classes names the labels "
                            + "in the order they are numbered");
                } else if (found > info.numClasses) {
                    p.sink.error(Codes.LABELS, classes.valueLoc(), "classes names " + info.numClasses + " classes but the "
                            + "labels of " + info.name + " have " + found + " different values; list every class");
                }
            }
        }
        return info;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Map<?, ?> m) {
        return (Map<String, Object>) m;
    }

    /** Text and windows: each needs its line and the source argument that goes with it. */
    private void sequences(DatasetInfo info, Map<String, SettingsReader.Read> s) {
        boolean text = info.sources.stream().anyMatch(src -> src.args().get("text") != null);
        SettingsReader.Read tokens = s.get("tokens"), window = s.get("window");
        if (tokens != null && !text && !info.sources.isEmpty()) {
            p.sink.error(Codes.SETTING_FORM, tokens.loc(), "tokens makes a text column token ids, but no source of " + info.name
                    + " names one: add `text: N` (a CSV column) or `text: \"name\"` (an ARFF string attribute) to the source");
        }
        if (window != null) {
            for (SettingsReader.Source src : info.sources) {
                if (!src.kind().equals("csv")) {
                    p.sink.error(Codes.SETTING_FORM, window.loc(), "window reads a time series from a CSV file; the " + src.role()
                            + " source of " + info.name + " is " + src.kind() + "(...)");
                } else if (src.args().get("label") != null) {
                    p.sink.error(Codes.LABELS, src.at("label"), "a window's answer is the next values of columns: write `target: N` "
                            + "(the columns to forecast), not label");
                } else if (src.args().get("text") != null) {
                    p.sink.error(Codes.SETTING_FORM, src.at("text"), "window and text do not go together; remove one");
                }
            }
            if (tokens != null) p.sink.error(Codes.SETTING_FORM, tokens.loc(), "window and tokens do not go together; remove one");
        }
    }

    /** The sample shape of text: {@code [length]} token ids, or {@code [vocabulary]} counts (bag). */
    private Shape textShape(DatasetInfo info) {
        if (info.tokens == null) return null;
        return Boolean.TRUE.equals(info.tokens.get("bag")) ? Shape.of((Integer) info.tokens.get("vocabulary"))
                : Shape.of((Integer) info.tokens.get("length"));
    }

    private Shape arff(DatasetInfo info, SettingsReader.Source src, Loc loc) {
        Map<String, Object> a = src.args();
        if (dev.ann.plan.DataPipeline.isUri((String) a.get("path"))) {
            // not read (W006): the label taken as classes (`labels targets` says otherwise), text's shape from the tokens line
            readable(src, "path", "ARFF file", false);
            if (a.get("label") != null) {
                info.labelKind = "classes";
                info.labelOrigin = "arff label '" + a.get("label") + "'";
            }
            return a.get("text") != null && info.tokensLine ? textShape(info) : null;
        }
        if (!readable(src, "path", "ARFF file", false)) return null;
        Path path = Path.of((String) a.get("path"));
        DataProbe.ArffHeader h = DataProbe.arff(path);
        if (h.error() != null) {
            p.sink.error(Codes.DATA_UNREADABLE, loc, path + ": " + h.error());
            return null;
        }
        List<String> names = h.attributes().stream().map(dev.ann.kernels.Arff.Attribute::name).toList();
        String label = (String) a.get("label");
        String text = (String) a.get("text");
        dev.ann.kernels.Arff.Attribute la = find(h, label), ta = text == null ? null : find(h, text);
        if (label != null && la == null) {
            p.sink.error(Codes.DATA_UNREADABLE, src.at("label"), path.getFileName() + " has no attribute '" + label + "'; "
                    + guess(label, names) + "its attributes are " + list(names));
            return null;
        }
        if (text != null && ta == null) {
            p.sink.error(Codes.DATA_UNREADABLE, src.at("text"), path.getFileName() + " has no attribute '" + text + "'; "
                    + guess(text, names) + "its attributes are " + list(names));
            return null;
        }
        if (la != null) {
            switch (la.type()) {
                case NOMINAL -> {
                    info.labelKind = "classes";
                    info.labelOrigin = "arff label '" + label + "' (nominal)";
                    if (la.values().size() > info.numClasses) {
                        info.numClasses = la.values().size();
                        info.classNames = la.values();
                    }
                }
                case NUMERIC -> {
                    info.labelKind = "targets";
                    info.targetWidth = 1;
                    info.labelOrigin = "arff label '" + label + "' (numeric)";
                }
                default -> p.sink.error(Codes.LABELS, src.at("label"), "attribute '" + label + "' is a " + la.type().name()
                        .toLowerCase(java.util.Locale.ROOT) + " attribute; the label is a nominal attribute (classes) or a numeric one (regression)");
            }
        }
        if (ta != null) {
            if (ta.type() != dev.ann.kernels.Arff.Type.STRING) {
                p.sink.error(Codes.DATA_UNREADABLE, src.at("text"), "attribute '" + text + "' is " + ta.type().name()
                        .toLowerCase(java.util.Locale.ROOT) + ", not a string attribute; text: names an attribute of text");
                return null;
            }
            if (!info.tokensLine) {
                p.sink.error(Codes.SETTING_FORM, src.at("text"), "a text attribute becomes token ids by the dataset's tokens line: "
                        + "add `tokens words, vocabulary 20000, length 200` to " + info.name);
                return null;
            }
            return textShape(info);
        }
        int width = 0;
        for (dev.ann.kernels.Arff.Attribute at : h.attributes()) {
            if (at == la) continue;
            if (at.type() == dev.ann.kernels.Arff.Type.NUMERIC) width++;
            else if (at.type() == dev.ann.kernels.Arff.Type.NOMINAL) width += at.values().size();
        }
        if (width == 0) {
            p.sink.error(Codes.DATA_UNREADABLE, loc, path.getFileName() + " has no numeric or nominal attribute besides the label; "
                    + "for a string attribute write `text: \"name\"` and a tokens line");
            return null;
        }
        return Shape.of(width);
    }

    private static dev.ann.kernels.Arff.Attribute find(DataProbe.ArffHeader h, String name) {
        if (name == null) return null;
        return h.attributes().stream().filter(x -> x.name().equals(name)).findFirst().orElse(null);
    }

    private static String guess(String name, List<String> names) {
        String g = Suggest.closest(name, names);
        return g == null ? "" : "did you mean '" + g + "'? ";
    }

    private static String list(List<String> names) {
        return names.size() <= 12 ? String.join(", ", names) : String.join(", ", names.subList(0, 12)) + " and " + (names.size() - 12) + " more";
    }

    private SettingsReader.Source absolute(SettingsReader.Source src, Path folder) {
        Map<String, Object> args = new java.util.LinkedHashMap<>(src.args());
        for (String k : List.of("path", "images", "labels", "folder")) {
            if (args.get(k) instanceof String s && !s.isEmpty()) {
                if (dev.ann.plan.DataPipeline.isUri(s)) {
                    // hdfs://, s3a://, file://...: kept as written, read by the runtime's opener for its scheme
                    try {
                        new java.net.URI(s);
                    } catch (java.net.URISyntaxException e) {
                        p.sink.error(Codes.DATA_MISSING, src.at(k), "this is not a valid URI (" + e.getReason() + " at index " + e.getIndex()
                                + "); write scheme://host:port/path, e.g. hdfs://namenode:8020/data/iris.csv");
                    }
                    continue;
                }
                Path path;
                try {
                    path = Path.of(s);
                } catch (java.nio.file.InvalidPathException e) {
                    // a NUL character, say (found by the fuzz run): an error here, and the source is not probed
                    p.sink.error(Codes.DATA_MISSING, src.at(k), "this is not a valid path (" + e.getReason() + ")");
                    continue;
                }
                if (!path.isAbsolute() && folder != null) path = folder.resolve(path);
                args.put(k, path.normalize().toString());
            }
        }
        return new SettingsReader.Source(src.role(), src.kind(), args, src.loc(), src.ranges());
    }

    private void probe(DatasetInfo info, SettingsReader.Source src, SettingsReader.Read read) {
        for (String k : List.of("path", "images", "labels", "folder")) {
            if (src.args().get(k) instanceof String s) {
                if (dev.ann.plan.DataPipeline.isUri(s)) {
                    try {
                        new java.net.URI(s);
                    } catch (java.net.URISyntaxException e) {
                        return;     // reported by absolute()
                    }
                    continue;
                }
                try {
                    Path.of(s);
                } catch (java.nio.file.InvalidPathException e) {
                    return;     // reported by absolute()
                }
            }
        }
        Loc loc = src.loc();
        Shape shape = null;
        switch (src.kind()) {
            case "csv" -> shape = csv(info, src, loc);
            case "arff" -> shape = arff(info, src, loc);
            case "idx" -> shape = idx(info, src, loc);
            case "images" -> shape = images(info, src, loc);
            default -> { }
        }
        if (shape == null) return;
        if (info.sampleShape == null) {
            info.sampleShape = shape;
        } else if (!info.sampleShape.equals(shape)) {
            p.sink.error(Codes.DATA_UNREADABLE, loc, "the " + src.role() + " samples of " + info.name + " are " + shape
                    + " but the others are " + info.sampleShape + "; every source must give samples of one shape");
        }
    }

    /**
     * Whether the source's file can be read now: a URI (hdfs://, s3a://, file://...) is not (W006: the runtime reads it
     * through its opener for the scheme, the cluster's Hadoop FileSystem), a path must exist (else E043).
     */
    private boolean readable(SettingsReader.Source src, String key, String what, boolean folder) {
        String s = (String) src.args().get(key);
        if (dev.ann.plan.DataPipeline.isUri(s)) {
            String scheme = s.substring(0, s.indexOf(':'));
            p.sink.warning(Codes.DATA_NOT_PROBED, src.at(key), what + " " + s + " is not read now: " + (switch (src.kind()) {
                case "csv" -> "its shape comes from features: and its classes from `classes` or the network's output";
                case "idx" -> "its shape comes from the network's input and its classes from the network's output";
                case "images" -> "its shape comes from size: and its classes from `classes` or the network's output";
                default -> "its label is taken as classes (`labels targets` for numbers), its shape from the tokens line or the network's input";
            }) + "; training reads it through the opener for " + scheme + ":// (with --cluster, Hadoop's FileSystem)");
            return false;
        }
        return exists(Path.of(s), src.at(key), what, folder);
    }

    /** whether a data file of the dataset being checked is not there ({@link #exists}) */
    private boolean missing;

    private boolean exists(Path path, Loc loc, String what, boolean folder) {
        if (folder ? Files.isDirectory(path) : Files.isRegularFile(path)) return true;
        missing = true;
        if (Files.exists(path)) {
            // never opened: a FIFO would block the check, /dev/zero would never end
            p.sink.error(Codes.DATA_MISSING, loc, what + " " + path + " is " + (Files.isDirectory(path) ? "a folder"
                    : folder ? "a file" : "not a regular file (a device, pipe or socket)") + "; name a "
                    + (folder ? "folder" : "file") + " there");
            return false;
        }
        String p0 = path.toString();
        p.sink.error(Codes.DATA_MISSING, loc, what + " not found: " + path + (p0.startsWith("/usr/share/datasets")
                ? "; install the Debian package that provides it (e.g. `apt-get install dataset-fashion-mnist`)"
                : p0.startsWith("/usr/share/doc/weka/") ? "; install Weka's example files: `apt-get install weka`"
                : p0.startsWith("/usr/lib/python3/dist-packages/statsmodels/") ? "; install statsmodels' data sets: `apt-get install python3-statsmodels`"
                : "; check the path (relative paths start at the folder of the .ann file)"));
        return false;
    }

    private Shape csv(DatasetInfo info, SettingsReader.Source src, Loc loc) {
        Map<String, Object> a = src.args();
        @SuppressWarnings("unchecked")
        List<Integer> features = (List<Integer>) a.get("features");
        Integer label = a.get("label") instanceof Integer l ? l : null;
        @SuppressWarnings("unchecked")
        List<Integer> target = a.get("target") instanceof List<?> t ? (List<Integer>) t : null;
        if (label != null && target != null) {
            p.sink.error(Codes.LABELS, loc, "give csv either label (classification) or target (regression), not both");
        } else if (label == null && target == null) {
            p.sink.error(Codes.LABELS, loc, "say which column holds the answer: `label: N` for classes or `target: N` for "
                    + "regression values");
        } else if (label != null) {
            info.labelKind = "classes";
            info.labelOrigin = "csv label: " + label;
        } else {
            info.labelKind = "targets";
            info.targetWidth = target.size();
            info.labelOrigin = "csv target";
        }
        Integer text = a.get("text") instanceof Integer t ? t : null;
        if (info.window != null && target != null) {
            info.targetWidth = target.size() * (Integer) info.window.get("horizon");
            info.labelOrigin = "csv target, window";
        }
        if (text != null && features != null) {
            p.sink.error(Codes.SETTING_FORM, src.at("features"), "give csv either features (numbers) or text (a text column), not both");
        } else if (text == null && features == null) {
            p.sink.error(Codes.SETTING_FORM, loc, "say which columns are the features: `features: 0..3`, or `text: N` for a column of text");
        }
        if (text != null && !info.tokensLine) {
            p.sink.error(Codes.SETTING_FORM, src.at("text"), "a text column becomes token ids by the dataset's tokens line: "
                    + "add `tokens words, vocabulary 20000, length 200` to " + info.name);
        }
        List<Integer> answer = label != null ? List.of(label) : target != null ? target : List.of();
        if (features != null && info.window == null) {
            for (Integer f : features) {
                if (answer.contains(f)) {
                    p.sink.error(Codes.LABELS, loc, "column " + f + " is both a feature and the " + (label != null ? "label" : "target")
                            + "; take it out of features");
                    break;
                }
            }
        }
        Shape shape = features == null ? null : info.window != null ? Shape.of((Integer) info.window.get("size"), features.size())
                : Shape.of(features.size());
        if (text != null) shape = textShape(info);
        if (!readable(src, "path", "CSV file", false)) return shape;
        Path path = Path.of((String) a.get("path"));
        DataProbe.Csv csv = DataProbe.csv(path, Boolean.TRUE.equals(a.get("header")), (String) a.getOrDefault("delimiter", ","),
                label == null ? -1 : label);
        if (csv.error() != null) {
            p.sink.error(Codes.DATA_UNREADABLE, loc, path + ": " + csv.error());
            return shape;
        }
        List<Integer> all = new ArrayList<>(answer);
        if (features != null) all.addAll(features);
        if (text != null) all.add(text);
        for (int c : all) {
            if (c >= csv.columns()) {
                p.sink.error(Codes.DATA_UNREADABLE, src.at(answer.contains(c) ? (label != null ? "label" : "target") : text != null && c == text ? "text" : "features"), "column " + c + " does not exist: " + path.getFileName() + " has "
                        + csv.columns() + " columns, numbered 0.." + (csv.columns() - 1));
                return shape;
            }
        }
        if (label != null && !csv.labelValues().isEmpty()) {
            int n;
            List<String> names;
            if (csv.numericLabels()) {
                long max = Long.parseLong(csv.labelValues().get(csv.labelValues().size() - 1));
                long min = Long.parseLong(csv.labelValues().get(0));
                if (min < 0) {
                    p.sink.error(Codes.DATA_UNREADABLE, loc, "class labels are numbered from 0; column " + label + " of "
                            + path.getFileName() + " holds " + min);
                }
                n = (int) Math.min(Integer.MAX_VALUE, max + 1);
                names = List.of();
            } else {
                for (String v : csv.labelValues()) info.labelNames.putIfAbsent(v, new DatasetInfo.Where(path.getFileName().toString(), csv.firstRow().get(v)));
                // the names of every file so far, in order: a test file may hold a class the training file lacks
                names = new ArrayList<>(info.labelNames.keySet());
                n = names.size();
            }
            if (n > info.numClasses) {
                info.numClasses = n;
                if (!names.isEmpty()) info.classNames = names;
            }
        }
        return shape;
    }

    private Shape idx(DatasetInfo info, SettingsReader.Source src, Loc loc) {
        info.labelKind = "classes";
        info.labelOrigin = "idx labels";
        Shape shape = null;
        int count = -1;
        boolean imagesNow = readable(src, "images", "IDX image file", false), labelsNow = readable(src, "labels", "IDX label file", false);
        Path images = imagesNow ? Path.of((String) src.args().get("images")) : null;
        Path labels = labelsNow ? Path.of((String) src.args().get("labels")) : null;
        if (imagesNow) {
            DataProbe.Idx h = DataProbe.idx(images);
            if (h.error() != null) {
                p.sink.error(Codes.DATA_UNREADABLE, loc, images + ": " + h.error());
            } else if (h.dims().size() != 2) {
                p.sink.error(Codes.DATA_UNREADABLE, loc, images + " holds " + (h.dims().size() + 1) + "-dimensional data, "
                        + "not pictures (images × height × width); give the image file first and the label file second");
            } else {
                shape = Shape.of(1, h.dims().get(0), h.dims().get(1));
                count = h.count();
            }
        }
        if (labelsNow) {
            DataProbe.Idx h = DataProbe.idx(labels);
            if (h.error() != null) {
                p.sink.error(Codes.DATA_UNREADABLE, loc, labels + ": " + h.error());
            } else if (!h.dims().isEmpty()) {
                p.sink.error(Codes.DATA_UNREADABLE, loc, labels + " is not a label file (it has " + (h.dims().size() + 1)
                        + " dimensions); give the image file first and the label file second");
            } else {
                if (count >= 0 && h.count() != count) {
                    p.sink.error(Codes.DATA_UNREADABLE, loc, images.getFileName() + " holds " + count + " pictures but "
                            + labels.getFileName() + " holds " + h.count() + " labels; they must pair up");
                }
                info.numClasses = Math.max(info.numClasses, h.maxLabel() + 1);
            }
        }
        return shape;
    }

    private Shape images(DatasetInfo info, SettingsReader.Source src, Loc loc) {
        @SuppressWarnings("unchecked")
        List<Integer> size = (List<Integer>) src.args().get("size");
        info.labelKind = "classes";
        info.labelOrigin = "class folders";
        Shape shape = null;
        if (size != null) {
            if (size.size() != 3 || (size.get(0) != 1 && size.get(0) != 3)) {
                p.sink.error(Codes.TYPE_MISMATCH, src.at("size"), "images size is [channels, height, width] with 1 (grey) or 3 (colour) "
                        + "channels; got " + size);
            } else {
                shape = new Shape(size);
            }
        }
        if (readable(src, "folder", "picture folder", true)) {
            Path folder = Path.of((String) src.args().get("folder"));
            List<String> classes = DataProbe.classFolders(folder);
            if (classes.isEmpty()) {
                p.sink.error(Codes.DATA_UNREADABLE, loc, folder + " has no sub-folders; put the pictures of each class in a "
                        + "sub-folder named after the class");
            } else if (classes.size() > DataProbe.MAX_LABELS) {
                p.sink.error(Codes.DATA_UNREADABLE, loc, folder + " has more than " + DataProbe.MAX_LABELS + " sub-folders, "
                        + "too many for classes; name the folder that holds one sub-folder per class");
            } else if (classes.size() > info.numClasses) {
                info.numClasses = classes.size();
                info.classNames = classes;
            }
        }
        return shape;
    }
}
