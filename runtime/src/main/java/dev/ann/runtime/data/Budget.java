package dev.ann.runtime.data;

import java.util.Locale;

/**
 * How many bytes of decoded float32 samples a run may hold in memory before
 * its data streams from disk instead. The default is a quarter of the JVM's
 * maximum heap: while it splits and normalises, the in-memory pipeline holds
 * up to about three copies of the samples at once.
 */
public final class Budget {
    private Budget() {}

    /** A quarter of {@code Runtime.maxMemory()}. */
    public static long defaultBytes() {
        return Runtime.getRuntime().maxMemory() / 4;
    }

    /**
     * Parses a size: a number of bytes, or a number followed by k, m or g
     * (KiB, MiB, GiB; case and a trailing b ignored). Null when it is not one.
     */
    public static Long parse(String s) {
        if (s == null) return null;
        String t = s.trim().toLowerCase(Locale.ROOT);
        if (t.endsWith("ib")) t = t.substring(0, t.length() - 2);
        else if (t.endsWith("b")) t = t.substring(0, t.length() - 1);
        long mul = 1;
        if (!t.isEmpty()) {
            switch (t.charAt(t.length() - 1)) {
                case 'k' -> mul = 1L << 10;
                case 'm' -> mul = 1L << 20;
                case 'g' -> mul = 1L << 30;
                case 't' -> mul = 1L << 40;
                default -> mul = 1;
            }
            if (mul > 1) t = t.substring(0, t.length() - 1);
        }
        if (!t.matches("\\d+(\\.\\d+)?")) return null;
        double v = Double.parseDouble(t) * mul;
        if (v > Long.MAX_VALUE / 2) return null;
        return (long) v;
    }

    /** 123 B, 4.5 KiB, 219.5 MiB, 1.0 GiB. */
    public static String format(long bytes) {
        if (bytes < 1024) return bytes + " B";
        String[] u = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int k = -1;
        while (v >= 1024 && k < u.length - 1) {
            v /= 1024;
            k++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, u[k]);
    }
}
