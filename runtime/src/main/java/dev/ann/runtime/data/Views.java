package dev.ann.runtime.data;

import java.util.List;

/**
 * Samples that read through to other samples on demand: a selection by index
 * (split, validation, subset), a concatenation (several train files) and a
 * per-sample transform (resize, scale, normalise). Together with the on-disk
 * sources they let a pipeline stream: nothing is decoded until a batch asks.
 */
final class Views {
    private Views() {}

    /** Per-thread scratch arrays (reads may come from the prefetch thread and the main thread). */
    static final class Scratch {
        private final ThreadLocal<float[]> tl = new ThreadLocal<>();
        private final int size;

        Scratch(int size) {
            this.size = size;
        }

        float[] get() {
            float[] a = tl.get();
            if (a == null) {
                a = new float[size];
                tl.set(a);
            }
            return a;
        }
    }

    /** The samples of {@code base} at {@code idx}, in that order. */
    static final class Selected extends Samples {
        final Samples base;
        final int[] idx;

        Selected(Samples base, int[] idx) {
            super(idx.length, base.sampleShape, labelsAt(base, idx), targetsAt(base, idx), base.targetWidth, base.classNames);
            this.base = base;
            this.idx = idx;
        }

        @Override
        public void read(int i, float[] dst, int off) {
            base.read(idx[i], dst, off);
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

    static int[] labelsAt(Samples s, int[] idx) {
        if (s.labels == null) return null;
        int[] l = new int[idx.length];
        for (int i = 0; i < idx.length; i++) l[i] = s.labels[idx[i]];
        return l;
    }

    static float[] targetsAt(Samples s, int[] idx) {
        if (s.targets == null) return null;
        float[] t = new float[idx.length * s.targetWidth];
        for (int i = 0; i < idx.length; i++) System.arraycopy(s.targets, idx[i] * s.targetWidth, t, i * s.targetWidth, s.targetWidth);
        return t;
    }

    /** The parts one after the other (all of the same sample shape). */
    static final class Concat extends Samples {
        final List<Samples> parts;
        final int[] starts;

        Concat(List<Samples> parts, List<String> classNames) {
            super(total(parts), parts.get(0).sampleShape, joinLabels(parts), joinTargets(parts), parts.get(0).targetWidth, classNames);
            this.parts = List.copyOf(parts);
            this.starts = new int[parts.size()];
            int o = 0;
            for (int k = 0; k < parts.size(); k++) {
                starts[k] = o;
                o += parts.get(k).n;
            }
        }

        private static int total(List<Samples> parts) {
            long n = 0;
            for (Samples p : parts) n += p.n;
            return Math.toIntExact(n);
        }

        private static int[] joinLabels(List<Samples> parts) {
            if (parts.get(0).labels == null) return null;
            int[] l = new int[total(parts)];
            int o = 0;
            for (Samples p : parts) {
                System.arraycopy(p.labels, 0, l, o, p.n);
                o += p.n;
            }
            return l;
        }

        private static float[] joinTargets(List<Samples> parts) {
            if (parts.get(0).targets == null) return null;
            int tw = parts.get(0).targetWidth;
            float[] t = new float[total(parts) * tw];
            int o = 0;
            for (Samples p : parts) {
                System.arraycopy(p.targets, 0, t, o * tw, p.n * tw);
                o += p.n;
            }
            return t;
        }

        @Override
        public void read(int i, float[] dst, int off) {
            int k = 0;
            while (i >= starts[k] + parts.get(k).n) k++;
            parts.get(k).read(i - starts[k], dst, off);
        }

        @Override
        public boolean inMemory() {
            return parts.stream().allMatch(Samples::inMemory);
        }

        @Override
        public void close() {
            parts.forEach(Samples::close);
        }
    }

    /** {@code base} with the transform applied to each sample as it is read. */
    static final class Transformed extends Samples {
        final Samples base;
        final Pipeline.Transform t;
        final boolean resizes;
        final Scratch raw;

        Transformed(Samples base, Pipeline.Transform t) {
            super(base.n, shapeAfter(base.sampleShape, t), base.labels, base.targets, base.targetWidth, base.classNames);
            this.base = base;
            this.t = t;
            this.resizes = sampleSize != base.sampleSize || !java.util.Arrays.equals(sampleShape, base.sampleShape);
            this.raw = new Scratch(base.sampleSize);
        }

        static int[] shapeAfter(int[] shape, Pipeline.Transform t) {
            if (t.resize() == null || shape.length != 3 || (shape[1] == t.resize()[0] && shape[2] == t.resize()[1])) return shape;
            return new int[] {shape[0], t.resize()[0], t.resize()[1]};
        }

        @Override
        public void read(int i, float[] dst, int off) {
            if (resizes) {
                float[] r = raw.get();
                base.read(i, r, 0);
                dev.ann.kernels.Resize.bilinear(r, 0, base.sampleShape, dst, off, sampleShape[1], sampleShape[2]);
            } else {
                base.read(i, dst, off);
            }
            t.applyInPlace(dst, off, sampleSize);
        }

        @Override
        public boolean inMemory() {
            return false;
        }

        @Override
        public void close() {
            base.close();
        }
    }
}
