package dev.ann.runtime.data;

import dev.ann.kernels.Labels;
import dev.ann.kernels.Normalize;
import dev.ann.kernels.Split;
import dev.ann.plan.Args;
import dev.ann.plan.DataPipeline;
import dev.ann.runtime.RunException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a Plan's data pipeline: load the sources, split (after a seeded
 * shuffle), hold out validation, subset, resize, scale, normalise (fitted on
 * the training split only).
 *
 * <p>When the decoded float32 samples fit the memory budget (see
 * {@link Budget}) every split is an in-memory {@link Dataset}. Otherwise the
 * data streams: the splits are views that read each sample from disk (IDX
 * records, CSV rows, pictures) and transform it when a batch asks for it, and
 * the normalisation statistics come from one streaming pass over the
 * training split. Both ways give the same samples, bit for bit: the same
 * seeded permutations pick them and the same per-sample arithmetic
 * transforms them.
 */
public final class Pipeline {
    private Pipeline() {}

    /**
     * The splits; {@code streamed} tells whether they read from disk, {@code mode} says so in one line.
     * Closing releases open files and deletes decompressed caches.
     */
    public record Splits(Samples train, Samples validation, Samples test, Transform transform, List<String> classNames,
                         boolean streamed, String mode) implements AutoCloseable {
        public Splits(Samples train, Samples validation, Samples test, Transform transform, List<String> classNames) {
            this(train, validation, test, transform, classNames, false, "data: in memory");
        }

        @Override
        public void close() {
            for (Samples s : new Samples[] {train, validation, test}) if (s != null) s.close();
        }
    }

    /**
     * What is applied to every sample after loading: resize to [h, w] (images),
     * then {@code x' = (x * scale - shift) * mul}, per feature. Text: the
     * tokenizer fitted on the training texts (null otherwise). Windows: shift
     * and mul per feature column, targetShift and targetMul per target column
     * (targets are normalised too; forecasts are mapped back with them).
     */
    public record Transform(int[] resize, float scale, float[] shift, float[] mul, dev.ann.kernels.Tokenizer tokenizer,
                            float[] targetShift, float[] targetMul) {
        public Transform(int[] resize, float scale, float[] shift, float[] mul) {
            this(resize, scale, shift, mul, null, null, null);
        }

        public Dataset apply(Dataset d) {
            Dataset r = resize == null || d.sampleShape.length != 3 ? d : resized(d, resize);
            float[] x = r.x.clone();
            int s = r.sampleSize;
            for (int i = 0; i < r.n; i++) applyInPlace(x, i * s, s);
            return r.withX(r.sampleShape, x);
        }

        /** Scales and normalises one sample of {@code s} features at {@code off} (already resized). */
        public void applyInPlace(float[] x, int off, int s) {
            Normalize.apply(x, off, s, scale, shift, mul);
        }
    }

    /** Loads with the default memory budget. */
    public static Splits load(DataPipeline p) {
        return load(p, null);
    }

    /**
     * Loads the data; {@code memoryBytes} is the budget for decoded samples
     * held in memory (null: {@link Budget#defaultBytes()}; 0: always stream).
     */
    public static Splits load(DataPipeline p, Long memoryBytes) {
        return load(p, memoryBytes, null);
    }

    /**
     * The same, normalised with a fitted shift and scale given (a trained
     * model's, from its checkpoint) instead of one fitted here: a model sees
     * its data as it was trained on, whatever the dataset's {@code normalize}
     * says now. {@code fitted} null: fit as the dataset says.
     */
    public static Splits load(DataPipeline p, Long memoryBytes, Transform fitted) {
        return load(p, memoryBytes, fitted, null);
    }

    /**
     * The test split alone, as {@link #load(DataPipeline, Long, Transform)} gives it with a trained model's
     * {@code fitted} transform, without reading the other sources: for scoring a model ({@code ann eval} read
     * Fashion-MNIST's 60,000 training pictures, 0.7 s of its 2 s, to score the 10,000 test ones). Only where the
     * test samples depend on nothing else: every source an IDX file (their labels are numbers, their classes
     * declared or numbered) or a CSV file of numbers, and one or more of them the dataset's test sources. Null
     * otherwise: load it whole. The other splits of what it returns are null. Texts, and numbers in CSV files, of
     * a classification need the model's class names: the four-argument form.
     */
    public static Splits loadTest(DataPipeline p, Long memoryBytes, Transform fitted) {
        return loadTest(p, memoryBytes, fitted, List.of());
    }

    /**
     * The same, where texts also take the test-only way: a dataset of texts with test sources of its own, a
     * model's {@code fitted} vocabulary, and test files whose classes are {@code classNames}, the model's (a
     * nominal label declared in another order, or undeclared labels the test texts do not all show, read
     * everything as before).
     */
    public static Splits loadTest(DataPipeline p, Long memoryBytes, Transform fitted, List<String> classNames) {
        if (fitted == null) return null;
        if (SequenceData.handles(p)) {
            return SequenceData.loadTest(p, sequenceBudget(memoryBytes), fitted, classNames);
        }
        boolean test = false;
        for (DataPipeline.Source s : p.sources()) {
            if (!s.kind().equals("idx") && !s.kind().equals("csv")) return null;
            test |= s.role().equals("test");
        }
        return test ? load(p, memoryBytes, fitted, classNames) : null;
    }

    /** The memory budget of ARFF, text and window data (held in memory): the one given, else the default. */
    private static long sequenceBudget(Long memoryBytes) {
        return memoryBytes != null && memoryBytes > 0 ? memoryBytes : Budget.defaultBytes();
    }

    /** {@code testOnly}: the model's class names when only the test sources are read, else null (every source). */
    private static Splits load(DataPipeline p, Long memoryBytes, Transform fitted, List<String> testOnly) {
        boolean onlyTest = testOnly != null;
        boolean regression = "targets".equals(p.labels().kind());
        long budget = memoryBytes != null ? memoryBytes : Budget.defaultBytes();
        if (SequenceData.handles(p)) return SequenceData.load(p, sequenceBudget(memoryBytes), fitted);
        int[] resize = p.resizeTo();

        // look at every source first (IDX headers, picture lists, one validating pass over CSV files) to know the size
        List<Opened> opened = new ArrayList<>();
        long total = 0;
        for (DataPipeline.Source s : p.sources()) {
            if (onlyTest && !s.role().equals("test")) continue;
            Opened o = open(s, p, regression, budget);
            opened.add(o);
            total += o.bytes(resize);
        }
        boolean stream = total > budget;
        String mode = stream
                ? "data: streamed from disk, batch by batch (" + Budget.format(total) + " of float32 samples > memory budget "
                        + Budget.format(budget) + (memoryBytes == null ? ", a quarter of the maximum heap; --data-memory sets it" : ", --data-memory") + ")"
                : "data: in memory (" + Budget.format(total) + " of float32 samples, memory budget " + Budget.format(budget) + ")";

        Map<String, List<Loaded>> byRole = new LinkedHashMap<>();
        try {
            for (Opened o : opened) byRole.computeIfAbsent(o.source().role(), k -> new ArrayList<>()).add(o.load(stream));
            Splits s = onlyTest ? buildTest(p, byRole, regression, resize, stream, mode, fitted, testOnly) : build(p, byRole, regression, resize, stream, mode, fitted);
            if (s == null) release(byRole); // the test split cannot be read alone after all
            return s;
        } catch (RuntimeException | Error e) {
            // a bad label or an empty split: release the files (and delete decompressed caches) before saying so
            release(byRole);
            throw e;
        }
    }

    private static void release(Map<String, List<Loaded>> byRole) {
        byRole.values().forEach(ls -> ls.forEach(l -> { if (l.images() != null) l.images().close(); }));
    }

    static Splits build(DataPipeline p, Map<String, List<Loaded>> byRole, boolean regression, int[] resize, boolean stream, String mode,
                                Transform fitted) {
        // class names across all sources
        List<String> names = classNames(p, byRole, regression);
        Map<String, Samples> sets = new LinkedHashMap<>();
        for (var e : byRole.entrySet()) {
            List<Samples> parts = new ArrayList<>();
            for (Loaded l : e.getValue()) parts.add(l.toSamples(names, p, regression));
            sets.put(e.getKey(), concat(parts));
        }
        long seed = p.shuffleSeed();
        Samples train = sets.get("train"), val = sets.get("validation"), test = sets.get("test");
        if (sets.containsKey("all")) {
            Samples all = sets.get("all");
            DataPipeline.Split sp = p.split();
            Split.Parts parts = sp == null ? Split.all(all.n, p.shuffle(), seed)
                    : Split.of(all.n, p.shuffle(), seed, sp.train(), sp.validation(), sp.test());
            train = select(all, parts.train());
            if (parts.validation() != null) val = select(all, parts.validation());
            if (parts.test() != null) test = select(all, parts.test());
        }
        if (train == null) throw new RunException(RunException.BAD_INPUT, "dataset " + p.dataset() + " has no training data; give a train source or a split");
        if (val == null && p.validation() > 0) {
            Split.Parts held = Split.holdOut(train.n, p.shuffle(), seed, p.validation());
            val = select(train, held.validation());
            train = select(train, held.train());
        }
        if (p.subset() > 0 && p.subset() < 1) {
            train = subset(train, p.subset(), seed, Split.Of.TRAIN);
            if (val != null) val = subset(val, p.subset(), seed, Split.Of.VALIDATION);
            if (test != null) test = subset(test, p.subset(), seed, Split.Of.TEST);
        }
        float scale = p.scaleFactor();
        Transform pre = new Transform(resize, scale, null, null);
        if (stream) {
            // the statistics from one pass over the resized, scaled training samples; every split transformed as it is read
            Transform t = fitted != null ? fitted(fitted, resize, p) : fit(p.normalize(), new Views.Transformed(train, pre), resize, scale);
            return new Splits(new Views.Transformed(train, t), val == null ? null : new Views.Transformed(val, t),
                    test == null ? null : new Views.Transformed(test, t), t, names, true, mode);
        }
        Dataset tr = pre.apply(train.materialize());
        Transform t = fitted != null ? fitted(fitted, resize, p) : fit(p.normalize(), tr, resize, scale);
        Transform post = new Transform(null, 1f, t.shift(), t.mul());
        if (t.shift() != null) tr = post.apply(tr);
        Dataset va = val == null ? null : t.apply(val.materialize());
        Dataset te = test == null ? null : t.apply(test.materialize());
        return new Splits(tr, va, te, t, names, false, mode);
    }

    /** {@link #build}'s test split alone, from the test sources alone, transformed by the model's fitted transform. */
    static Splits buildTest(DataPipeline p, Map<String, List<Loaded>> byRole, boolean regression, int[] resize, boolean stream,
                                    String mode, Transform fitted, List<String> modelNames) {
        List<String> names = classNames(p, byRole, regression);
        List<Loaded> tests = byRole.get("test");
        if (!regression && p.labels().classNames().isEmpty() && tests.stream().anyMatch(l -> l.csv() != null)) {
            // numbers in CSV files: the test files alone may not show every class, so their labels are read against
            // the model's classes, those it was trained under; those unknown, or a label the model never saw: null,
            // load it whole
            if (modelNames.isEmpty()) return null;
            java.util.Set<String> known = new java.util.HashSet<>(modelNames); // a file may hold any number of distinct labels
            for (Loaded l : tests) if (l.csv() == null || !known.containsAll(l.csv().labelValues)) return null;
            names = modelNames;
        }
        List<Samples> parts = new ArrayList<>();
        for (Loaded l : tests) parts.add(l.toSamples(names, p, regression));
        Samples test = concat(parts);
        if (p.subset() > 0 && p.subset() < 1) test = subset(test, p.subset(), p.shuffleSeed(), Split.Of.TEST);
        Transform t = fitted(fitted, resize, p);
        return new Splits(null, null, stream ? new Views.Transformed(test, t) : t.apply(test.materialize()), t, names, stream, mode);
    }

    /** The transform of a trained model's data: the dataset's resize and scale, the model's fitted shift and mul. */
    private static Transform fitted(Transform fitted, int[] resize, DataPipeline p) {
        return new Transform(resize, p.scaleFactor(), fitted.shift(), fitted.mul());
    }

    /** In memory a copy of the selected samples, else a view of them. */
    static Samples select(Samples s, int[] idx) {
        return s instanceof Dataset d ? d.select(idx) : new Views.Selected(s, idx);
    }

    static Samples subset(Samples d, double f, long seed, Split.Of which) {
        return select(d, Split.subset(d.n, f, seed, which));
    }

    /**
     * Fits the normalisation (the kernels' {@link Normalize.Fit}) on the
     * (resized, scaled) training samples, read one after the other, so that
     * in memory and streamed give the same bits.
     */
    static Transform fit(String normalize, Samples train, int[] resize, float scale) {
        if (!Normalize.fits(normalize)) return new Transform(resize, scale, null, null);
        int s = train.sampleSize;
        Normalize.Fit fit = new Normalize.Fit(s);
        float[] x = train instanceof Dataset d ? d.x : new float[s];
        for (int i = 0; i < train.n; i++) {
            int off = 0;
            if (train instanceof Dataset) off = i * s;
            else train.read(i, x, 0);
            fit.add(x, off);
        }
        Normalize.Stats st = fit.stats(normalize);
        return new Transform(resize, scale, st.shift(), st.mul());
    }

    /** Bilinear resize of [c, h, w] samples to [c, nh, nw] (the kernels' Resize). */
    static Dataset resized(Dataset d, int[] hw) {
        int nh = hw[0], nw = hw[1];
        if (d.sampleShape[1] == nh && d.sampleShape[2] == nw) return d;
        return d.withX(new int[] {d.sampleShape[0], nh, nw}, dev.ann.kernels.Resize.bilinear(d.x, d.n, d.sampleShape, nh, nw));
    }

    static Samples concat(List<Samples> parts) {
        if (parts.size() == 1) return parts.get(0);
        if (!parts.stream().allMatch(d -> d instanceof Dataset)) return new Views.Concat(parts, parts.get(0).classNames);
        Dataset f = (Dataset) parts.get(0);
        int n = parts.stream().mapToInt(d -> d.n).sum();
        float[] x = new float[n * f.sampleSize];
        int[] l = f.labels == null ? null : new int[n];
        float[] t = f.targets == null ? null : new float[n * f.targetWidth];
        int o = 0;
        for (Samples s : parts) {
            Dataset d = (Dataset) s;
            System.arraycopy(d.x, 0, x, o * f.sampleSize, d.x.length);
            if (l != null) System.arraycopy(d.labels, 0, l, o, d.n);
            if (t != null) System.arraycopy(d.targets, 0, t, o * f.targetWidth, d.targets.length);
            o += d.n;
        }
        return new Dataset(n, f.sampleShape, x, l, t, f.targetWidth, f.classNames);
    }

    /** A source looked at (sizes known, CSV validated) but not yet loaded. */
    record Opened(DataPipeline.Source source, String file, long n, int[] shape, CsvIndex csv, Path images, Path labels,
                  dev.ann.kernels.Pictures.Listing listing) {
        long bytes(int[] resize) {
            long per = 1;
            for (int d : shape) per *= d;
            if (resize != null && shape.length == 3) per = Math.max(per, (long) shape[0] * resize[0] * resize[1]);
            return 4L * n * per;
        }

        Loaded load(boolean stream) {
            if (csv != null) return new Loaded(file, null, stream ? csv.withoutFeatures() : csv);
            if (images != null) return new Loaded(file, stream ? IdxSamples.open(images, labels) : IdxLoader.load(images, labels), null);
            return new Loaded(file, stream ? ImageLoader.onDisk(listing, shape) : ImageLoader.load(listing, shape), null);
        }
    }

    static Opened open(DataPipeline.Source s, DataPipeline p, boolean regression, long budget) {
        Args a = s.args();
        switch (s.kind()) {
            case "csv" -> {
                String f = a.getString("path");
                List<Integer> feats = a.getInts("features");
                List<Integer> label = !regression && a.has("label") ? a.getInts("label") : List.of();
                List<Integer> target = regression ? (a.has("target") ? a.getInts("target") : a.getInts("label")) : List.of();
                boolean header = a.has("header") && a.getBool("header");
                String delim = a.has("delimiter") ? a.getString("delimiter") : ",";
                CsvIndex ix = CsvIndex.scan(f, header, feats, label, target, delim, budget);
                return new Opened(s, f, ix.n, new int[] {ix.width}, ix, null, null, null);
            }
            case "idx" -> {
                // a URI (hdfs://, s3a://) is copied here once: the kernels' IDX reader takes a path
                Path im = DataFiles.local(a.getString("images")), lb = DataFiles.local(a.getString("labels"));
                dev.ann.kernels.Idx.Header h = IdxLoader.header(im);
                int[] shape = h.dims().length == 3 ? new int[] {1, h.dims()[1], h.dims()[2]}
                        : h.dims().length == 4 ? new int[] {h.dims()[1], h.dims()[2], h.dims()[3]} : new int[] {1};
                return new Opened(s, lb.toString(), h.dims()[0], shape, null, im, lb, null);
            }
            case "images" -> {
                List<Integer> size = a.has("size") ? a.getInts("size") : p.sampleShape().dims();
                int[] sz = size.stream().mapToInt(Integer::intValue).toArray();
                if (p.resize() != null && !p.resize().isEmpty()) sz = new int[] {sz[0], sz[1], sz[2]};
                if (DataFiles.isUri(a.getString("folder"))) {
                    throw new RunException(RunException.BAD_INPUT, a.getString("folder") + ": picture folders are read from a path;"
                            + " ann does not list folders through a URI: put the folder on a path every machine sees (a shared folder)");
                }
                dev.ann.kernels.Pictures.Listing l = ImageLoader.list(Path.of(a.getString("folder")));
                return new Opened(s, a.getString("folder"), l.files().size(), sz, null, null, null, l);
            }
            default -> throw new RunException(RunException.BAD_INPUT, "the runtime cannot read data sources of kind '" + s.kind() + "'");
        }
    }

    /** A loaded source before class names are known: samples of an IDX file or a picture folder, or an indexed CSV file. */
    record Loaded(String file, Samples images, CsvIndex csv) {
        Samples toSamples(List<String> names, DataPipeline p, boolean regression) {
            int k = p.labels().numClasses();
            if (images != null) {
                RunException.check(() -> Labels.checkRange(file, images.labels, k));
                if (images instanceof Dataset d) return d.withClassNames(names);
                if (!images.classNames.equals(names)) return new Renamed(images, names);
                return images;
            }
            if (regression) return csv.samples(null, List.of());
            // map each distinct value once, then every row (the first bad row is the one reported)
            int[] byId = new int[csv.labelValues.size()];
            for (int v = 0; v < byId.length; v++) byId[v] = Labels.index(csv.labelValues.get(v), names, k);
            int[] lab = new int[csv.n];
            for (int i = 0; i < csv.n; i++) {
                int idx = byId[csv.labelIds[i]];
                if (idx < 0) throw RunException.of(Labels.notAClass(file, csv.labelValues.get(csv.labelIds[i]), i, names));
                lab[i] = idx;
            }
            return csv.samples(lab, names);
        }
    }

    /** On-disk samples under the dataset's class names. */
    static final class Renamed extends Samples {
        final Samples base;

        Renamed(Samples base, List<String> names) {
            super(base.n, base.sampleShape, base.labels, base.targets, base.targetWidth, names);
            this.base = base;
        }

        @Override
        public void read(int i, float[] dst, int off) {
            base.read(i, dst, off);
        }

        @Override
        public boolean inMemory() {
            return base.inMemory();
        }

        @Override
        public void close() {
            base.close();
        }
    }

    static List<String> classNames(DataPipeline p, Map<String, List<Loaded>> byRole, boolean regression) {
        if (regression) return List.of();
        if (!p.labels().classNames().isEmpty()) return p.labels().classNames();
        List<String> seen = new ArrayList<>();
        for (List<Loaded> ls : byRole.values()) {
            for (Loaded l : ls) {
                if (l.images() != null) return l.images().classNames.isEmpty() ? numbered(p.labels().numClasses()) : l.images().classNames;
                seen.addAll(l.csv().labelValues);
            }
        }
        return Labels.classNames(seen, p.labels().numClasses());
    }

    static List<String> numbered(int k) {
        return Labels.numbered(k);
    }
}
