package dev.ann.kernels;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Plain Java over an array's host memory, for the few loops ND4J runs badly: an op costs about
 * 18 µs whatever its size, and a batchnorm of a dozen ops read and wrote every value a dozen
 * times. These helpers move runs of elements between an array's buffer and a {@code double[]}
 * (bulk copies; the arithmetic is done in double and rounded once when written back), so one
 * loop serves float and double networks alike.
 */
final class Flat {
    private Flat() {}

    /** Whether arrays live in the JVM's host memory (the CPU backend), where Java reads their buffers directly. */
    private static final class Host {
        static final boolean HOST = !Nd4j.getExecutioner().getClass().getName().contains("Cuda");
    }

    /** Whether arrays live in host memory (the CPU backend). */
    static boolean host() { return Host.HOST; }

    /**
     * Whether a's elements lie in its host buffer one after another, row-major from a.offset(), as float or
     * double (a vector with stride 1 does whatever order ND4J gave its view: a parameter's view is 'f').
     */
    static boolean plain(INDArray a) {
        return Host.HOST && (a.ordering() == 'c' || a.rank() <= 1 || a.isVector()) && a.elementWiseStride() == 1
                && a.offset() + a.length() <= Integer.MAX_VALUE
                && (a.dataType() == DataType.FLOAT || a.dataType() == DataType.DOUBLE);
    }

    /** Whether every array is {@link #plain} and float (nulls are skipped): the loops over whole batches work in float. */
    static boolean plainFloat(INDArray... as) {
        for (INDArray a : as) if (a != null && (!plain(a) || a.dataType() != DataType.FLOAT)) return false;
        return true;
    }

    /** Whether every array is {@link #plain} (nulls are skipped). */
    static boolean plain(INDArray... as) {
        for (INDArray a : as) if (a != null && !plain(a)) return false;
        return true;
    }

    /** A reader and writer of one plain array's elements; holds its scratch so that a loop allocates nothing. */
    static final class View {
        private final INDArray a;
        private final FloatBuffer fb;
        private final DoubleBuffer db;
        private final int base;
        private float[] tmp = new float[0];

        View(INDArray a) {
            this.a = a;
            base = (int) a.offset();
            if (a.dataType() == DataType.DOUBLE) {
                db = a.data().asNioDouble();
                fb = null;
            } else {
                fb = a.data().asNioFloat();
                db = null;
            }
        }

        /** dst[0, len) = the elements [from, from + len) of the array (row-major). */
        void get(int from, double[] dst, int len) {
            if (db != null) {
                db.get(base + from, dst, 0, len);
                return;
            }
            float[] t = scratch(len);
            fb.get(base + from, t, 0, len);
            for (int i = 0; i < len; i++) dst[i] = t[i];
        }

        /**
         * The elements [from, from + len) of the array = src[0, len), rounded to its type; a float too small
         * to be normal (below 1.2e-38) is written as 0: the BLAS multiplies subnormal inputs about a hundred
         * times slower (an LSTM's gradients fade to them over 200 steps; ND4J's element-wise ops keep them:
         * bench/sequences/RESULTS.md).
         */
        void put(int from, double[] src, int len) {
            if (db != null) {
                db.put(base + from, src, 0, len);
                return;
            }
            float[] t = scratch(len);
            for (int i = 0; i < len; i++) {
                float f = (float) src[i];
                t[i] = Math.abs(f) < Float.MIN_NORMAL ? 0f : f;
            }
            fb.put(base + from, t, 0, len);
        }

        /** The elements [to, to + len) of dst = the elements [from, from + len) of this array (no rounding between arrays of one type). */
        void copyTo(int from, View dst, int to, int len) {
            if (fb != null && dst.fb != null) {
                float[] t = scratch(len);
                fb.get(base + from, t, 0, len);
                dst.fb.put(dst.base + to, t, 0, len);
                return;
            }
            double[] t = new double[len];
            get(from, t, len);
            dst.put(to, t, len);
        }

        /** All of the array's elements. */
        double[] all() {
            double[] v = new double[(int) a.length()];
            get(0, v, v.length);
            return v;
        }

        private float[] scratch(int len) {
            if (tmp.length < len) tmp = new float[len];
            return tmp;
        }
    }

    /** A float array's buffer, for bulk copies of runs of its elements into float rows and back. */
    static final class Floats {
        private final FloatBuffer fb;
        private final int base;

        Floats(INDArray a) {
            fb = a.data().asNioFloat();
            base = (int) a.offset();
        }

        /** dst[0, len) = the elements [from, from + len). */
        void get(int from, float[] dst, int len) { fb.get(base + from, dst, 0, len); }

        /** dst[at, at + len) = the elements [from, from + len). */
        void get(int from, float[] dst, int at, int len) { fb.get(base + from, dst, at, len); }

        /** The elements [from, from + len) = src[0, len). */
        void put(int from, float[] src, int len) { fb.put(base + from, src, 0, len); }

        /** The elements [from, from + len) = src[at, at + len). */
        void put(int from, float[] src, int at, int len) { fb.put(base + from, src, at, len); }
    }

    /** All of a's elements, row-major, as doubles: read in bulk from the host buffer (a copy first when a is not plain). */
    static double[] values(INDArray a) {
        return view(plain(a) ? a : a.dup('c')).all();
    }

    /**
     * Where a's first element lies from its buffer's address, in elements. A view's buffer may itself be a view:
     * its address is where its own offset starts, while the array's offset counts from the whole buffer's start
     * (as asNioFloat reads it).
     */
    static long fromAddress(INDArray a) {
        return a.offset() - a.data().offset();
    }

    /** Sets a plain array's elements to 0 with one native memset (an ND4J op costs about 18 µs before its work). */
    static void zero(INDArray a) {
        long width = a.dataType().width();
        org.bytedeco.javacpp.BytePointer p = new org.bytedeco.javacpp.BytePointer(a.data().addressPointer());
        org.bytedeco.javacpp.Pointer.memset(p.position(fromAddress(a) * width), 0, a.length() * width);
    }

    static Floats floats(INDArray a) {
        return new Floats(a);
    }

    static View view(INDArray a) {
        return new View(a);
    }
}
