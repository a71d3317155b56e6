package dev.ann.runtime.data;

import dev.ann.compiler.plan.Args;
import dev.ann.compiler.plan.DataPipeline;
import dev.ann.runtime.RunException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;

/**
 * Runs a Plan's data pipeline: load the sources, split (after a seeded
 * shuffle), hold out validation, subset, resize, scale, normalise (fitted on
 * the training split only).
 */
public final class Pipeline {
    private Pipeline() {}

    public record Splits(Dataset train, Dataset validation, Dataset test, Transform transform, List<String> classNames) {}

    /**
     * What is applied to every sample after loading: resize to [h, w] (images),
     * then {@code x' = (x * scale - shift) * mul}, per feature.
     */
    public record Transform(int[] resize, float scale, float[] shift, float[] mul) {
        public Dataset apply(Dataset d) {
            Dataset r = resize == null || d.sampleShape.length != 3 ? d : resized(d, resize);
            float[] x = r.x.clone();
            int s = r.sampleSize;
            for (int i = 0; i < r.n; i++) {
                for (int j = 0; j < s; j++) {
                    int k = i * s + j;
                    float v = x[k] * scale;
                    if (shift != null) v = (v - shift[j]) * mul[j];
                    x[k] = v;
                }
            }
            return r.withX(r.sampleShape, x);
        }
    }

    public static Splits load(DataPipeline p) {
        boolean regression = "targets".equals(p.labels().kind());
        Map<String, List<Loaded>> byRole = new LinkedHashMap<>();
        for (DataPipeline.Source s : p.sources()) byRole.computeIfAbsent(s.role(), k -> new ArrayList<>()).add(loadSource(s, p, regression));

        // class names across all sources
        List<String> names = classNames(p, byRole, regression);
        Map<String, Dataset> sets = new LinkedHashMap<>();
        for (var e : byRole.entrySet()) {
            List<Dataset> parts = new ArrayList<>();
            for (Loaded l : e.getValue()) parts.add(l.toDataset(names, p, regression));
            sets.put(e.getKey(), concat(parts));
        }
        long seed = p.shuffleSeed();
        Dataset train = sets.get("train"), val = sets.get("validation"), test = sets.get("test");
        if (sets.containsKey("all")) {
            Dataset all = sets.get("all");
            int[] perm = permutation(all.n, new Random(seed));
            DataPipeline.Split sp = p.split();
            double ft = sp == null ? 1.0 : sp.train(), fv = sp == null ? 0.0 : sp.validation();
            int nt = (int) Math.round(all.n * ft), nv = (int) Math.round(all.n * fv);
            if (sp != null && sp.test() == 0) nv = all.n - nt;
            nt = Math.min(nt, all.n);
            nv = Math.min(nv, all.n - nt);
            train = all.select(Arrays.copyOfRange(perm, 0, nt));
            if (nv > 0) val = all.select(Arrays.copyOfRange(perm, nt, nt + nv));
            if (nt + nv < all.n) test = all.select(Arrays.copyOfRange(perm, nt + nv, all.n));
        }
        if (train == null) throw new RunException(RunException.BAD_INPUT, "dataset " + p.dataset() + " has no training data; give a train source or a split");
        if (val == null && p.validation() > 0) {
            int[] perm = permutation(train.n, new Random(seed + 1));
            int nv = (int) Math.round(train.n * p.validation());
            val = train.select(sorted(Arrays.copyOfRange(perm, train.n - nv, train.n)));
            train = train.select(sorted(Arrays.copyOfRange(perm, 0, train.n - nv)));
        }
        if (p.subset() > 0 && p.subset() < 1) {
            train = subset(train, p.subset(), seed + 2);
            if (val != null) val = subset(val, p.subset(), seed + 3);
            if (test != null) test = subset(test, p.subset(), seed + 4);
        }
        int[] resize = p.resize() == null || p.resize().isEmpty() ? null : new int[] {p.resize().get(0), p.resize().get(1)};
        float scale = (float) (p.scale() == 0 ? 1.0 : p.scale());
        Transform pre = new Transform(resize, scale, null, null);
        train = pre.apply(train);
        Transform t = fit(p.normalize(), train, resize, scale);
        Transform post = new Transform(null, 1f, t.shift(), t.mul());
        if (t.shift() != null) train = post.apply(train);
        if (val != null) val = t.apply(val);
        if (test != null) test = t.apply(test);
        return new Splits(train, val, test, t, names);
    }

    static int[] sorted(int[] a) {
        int[] b = a.clone();
        Arrays.sort(b);
        return b;
    }

    static Dataset subset(Dataset d, double f, long seed) {
        int k = Math.max(1, (int) Math.round(d.n * f));
        return d.select(sorted(Arrays.copyOf(permutation(d.n, new Random(seed)), k)));
    }

    /** Fisher-Yates with java.util.Random: the same seed gives the same order everywhere. */
    public static int[] permutation(int n, Random r) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    static Transform fit(String normalize, Dataset train, int[] resize, float scale) {
        if (normalize == null || normalize.equals("none")) return new Transform(resize, scale, null, null);
        int s = train.sampleSize;
        float[] shift = new float[s], mul = new float[s];
        for (int j = 0; j < s; j++) {
            double a = 0, b = 0, min = Double.MAX_VALUE, max = -Double.MAX_VALUE;
            for (int i = 0; i < train.n; i++) {
                double v = train.x[i * s + j];
                a += v;
                b += v * v;
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            if (normalize.equals("minmax")) {
                shift[j] = (float) min;
                mul[j] = (float) (max > min ? 1.0 / (max - min) : 1.0);
            } else {
                double mean = a / train.n, var = Math.max(0, b / train.n - mean * mean);
                shift[j] = (float) mean;
                mul[j] = (float) (var > 1e-12 ? 1.0 / Math.sqrt(var) : 1.0);
            }
        }
        return new Transform(resize, scale, shift, mul);
    }

    /** Bilinear resize of [c, h, w] samples to [c, nh, nw] (pixel centres aligned; an exact 2x shrink averages 2x2 blocks). */
    static Dataset resized(Dataset d, int[] hw) {
        int c = d.sampleShape[0], h = d.sampleShape[1], w = d.sampleShape[2], nh = hw[0], nw = hw[1];
        if (h == nh && w == nw) return d;
        float[] out = new float[d.n * c * nh * nw];
        for (int i = 0; i < d.n; i++) {
            for (int ch = 0; ch < c; ch++) {
                int src = (i * c + ch) * h * w, dst = (i * c + ch) * nh * nw;
                for (int y = 0; y < nh; y++) {
                    double sy = Math.max(0, Math.min(h - 1, (y + 0.5) * h / nh - 0.5));
                    int y0 = (int) Math.floor(sy), y1 = Math.min(h - 1, y0 + 1);
                    double fy = sy - y0;
                    for (int x = 0; x < nw; x++) {
                        double sx = Math.max(0, Math.min(w - 1, (x + 0.5) * w / nw - 0.5));
                        int x0 = (int) Math.floor(sx), x1 = Math.min(w - 1, x0 + 1);
                        double fx = sx - x0;
                        double v = (1 - fy) * ((1 - fx) * d.x[src + y0 * w + x0] + fx * d.x[src + y0 * w + x1])
                                + fy * ((1 - fx) * d.x[src + y1 * w + x0] + fx * d.x[src + y1 * w + x1]);
                        out[dst + y * nw + x] = (float) v;
                    }
                }
            }
        }
        return d.withX(new int[] {c, nh, nw}, out);
    }

    static Dataset concat(List<Dataset> parts) {
        if (parts.size() == 1) return parts.get(0);
        Dataset f = parts.get(0);
        int n = parts.stream().mapToInt(d -> d.n).sum();
        float[] x = new float[n * f.sampleSize];
        int[] l = f.labels == null ? null : new int[n];
        float[] t = f.targets == null ? null : new float[n * f.targetWidth];
        int o = 0;
        for (Dataset d : parts) {
            System.arraycopy(d.x, 0, x, o * f.sampleSize, d.x.length);
            if (l != null) System.arraycopy(d.labels, 0, l, o, d.n);
            if (t != null) System.arraycopy(d.targets, 0, t, o * f.targetWidth, d.targets.length);
            o += d.n;
        }
        return new Dataset(n, f.sampleShape, x, l, t, f.targetWidth, f.classNames);
    }

    /** A loaded source before class names are known. */
    record Loaded(String file, Dataset images, CsvLoader.Raw csv) {
        Dataset toDataset(List<String> names, DataPipeline p, boolean regression) {
            int k = p.labels().numClasses();
            if (images != null) {
                for (int l : images.labels) {
                    if (k > 0 && l >= k) throw RunException.data(file, 0, 0, "label " + l + " is out of range: the network has " + k + " outputs");
                }
                return images.withClassNames(names);
            }
            int[] shape = {csv.width()};
            if (regression) return new Dataset(csv.n(), shape, csv.x(), null, csv.targets(), csv.targetWidth(), List.of());
            int[] lab = new int[csv.n()];
            for (int i = 0; i < csv.n(); i++) {
                String v = csv.labels().get(i);
                int idx = names.indexOf(v);
                if (idx < 0) {
                    try { idx = Integer.parseInt(v); } catch (NumberFormatException e) { idx = -1; }
                }
                if (idx < 0 || (k > 0 && idx >= k) || (!names.isEmpty() && idx >= names.size())) {
                    throw RunException.data(file, 0, 0, "label '" + v + "' of data row " + (i + 1) + " is not one of the classes " + names);
                }
                lab[i] = idx;
            }
            return new Dataset(csv.n(), shape, csv.x(), lab, null, 0, names);
        }
    }

    static Loaded loadSource(DataPipeline.Source s, DataPipeline p, boolean regression) {
        Args a = s.args();
        switch (s.kind()) {
            case "csv" -> {
                Path f = Path.of(a.getString("path"));
                List<Integer> feats = a.getInts("features");
                List<Integer> label = !regression && a.has("label") ? a.getInts("label") : List.of();
                List<Integer> target = regression ? (a.has("target") ? a.getInts("target") : a.getInts("label")) : List.of();
                boolean header = a.has("header") && a.getBool("header");
                String delim = a.has("delimiter") ? a.getString("delimiter") : ",";
                return new Loaded(f.toString(), null, CsvLoader.load(f, header, feats, label, target, delim));
            }
            case "idx" -> {
                Path im = Path.of(a.getString("images")), lb = Path.of(a.getString("labels"));
                return new Loaded(lb.toString(), IdxLoader.load(im, lb), null);
            }
            case "images" -> {
                List<Integer> size = a.has("size") ? a.getInts("size") : p.sampleShape().dims();
                int[] sz = size.stream().mapToInt(Integer::intValue).toArray();
                if (p.resize() != null && !p.resize().isEmpty()) sz = new int[] {sz[0], sz[1], sz[2]};
                return new Loaded(a.getString("folder"), ImageLoader.load(Path.of(a.getString("folder")), sz), null);
            }
            default -> throw new RunException(RunException.BAD_INPUT, "the runtime cannot read data sources of kind '" + s.kind() + "'");
        }
    }

    static List<String> classNames(DataPipeline p, Map<String, List<Loaded>> byRole, boolean regression) {
        if (regression) return List.of();
        if (!p.labels().classNames().isEmpty()) return p.labels().classNames();
        TreeSet<String> seen = new TreeSet<>();
        boolean allInts = true;
        for (List<Loaded> ls : byRole.values()) {
            for (Loaded l : ls) {
                if (l.images() != null) return l.images().classNames.isEmpty() ? numbered(p.labels().numClasses()) : l.images().classNames;
                for (String v : l.csv().labels()) {
                    seen.add(v);
                    if (allInts && !v.matches("-?\\d+")) allInts = false;
                }
            }
        }
        if (allInts) {
            int max = seen.stream().mapToInt(Integer::parseInt).max().orElse(0);
            return numbered(Math.max(max + 1, p.labels().numClasses()));
        }
        return new ArrayList<>(seen);
    }

    static List<String> numbered(int k) {
        List<String> l = new ArrayList<>();
        for (int i = 0; i < k; i++) l.add(String.valueOf(i));
        return l;
    }
}
