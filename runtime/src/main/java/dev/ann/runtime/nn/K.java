package dev.ann.runtime.nn;

import dev.ann.compiler.plan.Args;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/** Small helpers: argument defaults and one-line custom-op calls. */
public final class K {
    private K() {}

    public static double d(Args a, String name, double dflt) {
        return a != null && a.has(name) ? a.getDouble(name) : dflt;
    }

    public static int i(Args a, String name, int dflt) {
        return a != null && a.has(name) ? a.getInt(name) : dflt;
    }

    public static boolean b(Args a, String name, boolean dflt) {
        return a != null && a.has(name) ? a.getBool(name) : dflt;
    }

    public static String s(Args a, String name, String dflt) {
        return a != null && a.has(name) ? String.valueOf(a.get(name)) : dflt;
    }

    /** A pair (kernel, stride...): an int gives [v, v]. */
    public static int[] pair(Args a, String name, int dflt) {
        if (a == null || !a.has(name)) return new int[] {dflt, dflt};
        List<Integer> l = a.getInts(name);
        return l.size() == 1 ? new int[] {l.get(0), l.get(0)} : new int[] {l.get(0), l.get(1)};
    }

    /** Runs a libnd4j custom op by name with preallocated outputs. */
    public static void exec(String op, INDArray[] in, INDArray[] out, long[] iargs, double[] targs) {
        DynamicCustomOp.DynamicCustomOpsBuilder b = DynamicCustomOp.builder(op).addInputs(in).addOutputs(out);
        if (iargs != null && iargs.length > 0) { int[] ia = new int[iargs.length]; for (int k = 0; k < ia.length; k++) ia[k] = (int) iargs[k]; b.addIntegerArguments(ia); }
        if (targs != null && targs.length > 0) b.addFloatingPointArguments(toD(targs));
        Nd4j.exec(b.build());
    }

    private static Double[] toD(double[] t) {
        Double[] o = new Double[t.length];
        for (int k = 0; k < t.length; k++) o[k] = t[k];
        return o;
    }

    public static long[] prepend(long n, long[] tail) {
        long[] s = new long[tail.length + 1];
        s[0] = n;
        System.arraycopy(tail, 0, s, 1, tail.length);
        return s;
    }
}
