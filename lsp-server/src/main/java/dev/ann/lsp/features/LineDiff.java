package dev.ann.lsp.features;

import java.util.ArrayList;
import java.util.List;

/**
 * A minimal line diff (Myers' O(ND) algorithm): the hunks that turn a into b.
 * The common first and last lines are taken off first; when the rest would
 * need more than {@link #BUDGET} ints of trace (Myers keeps one row per edit
 * step: a 5 MB document reformatted from one line is quadratic), the rest is
 * one hunk, which is correct, only less minimal.
 */
final class LineDiff {
    private LineDiff() {}

    /** Ints of Myers' trace at most (32 MiB). */
    static final long BUDGET = 8L << 20;

    /** Replace lines [aStart, aEnd) of a by lines [bStart, bEnd) of b. */
    record Hunk(int aStart, int aEnd, int bStart, int bEnd) {}

    static List<Hunk> diff(List<String> a, List<String> b) {
        int pre = 0;
        while (pre < a.size() && pre < b.size() && a.get(pre).equals(b.get(pre))) pre++;
        int suf = 0;
        while (suf < a.size() - pre && suf < b.size() - pre && a.get(a.size() - 1 - suf).equals(b.get(b.size() - 1 - suf))) suf++;
        List<Hunk> inner = myers(a.subList(pre, a.size() - suf), b.subList(pre, b.size() - suf));
        List<Hunk> out = new ArrayList<>();
        for (Hunk h : inner) out.add(new Hunk(h.aStart() + pre, h.aEnd() + pre, h.bStart() + pre, h.bEnd() + pre));
        return out;
    }

    private static List<Hunk> myers(List<String> a, List<String> b) {
        int n = a.size(), m = b.size();
        if (n == 0 && m == 0) return List.of();
        int max = n + m;
        long maxD = BUDGET / (2L * max + 2);
        int[] v = new int[2 * max + 2];
        List<int[]> trace = new ArrayList<>();
        int found = -1;
        for (int d = 0; d <= max && found < 0; d++) {
            if (d > maxD) return List.of(new Hunk(0, n, 0, m));
            trace.add(v.clone());
            for (int k = -d; k <= d; k += 2) {
                int x;
                if (k == -d || (k != d && v[max + k - 1] < v[max + k + 1])) x = v[max + k + 1];
                else x = v[max + k - 1] + 1;
                int y = x - k;
                while (x < n && y < m && a.get(x).equals(b.get(y))) {
                    x++;
                    y++;
                }
                v[max + k] = x;
                if (x >= n && y >= m) {
                    found = d;
                    break;
                }
            }
        }
        // walk back to collect the matching (snake) positions
        boolean[] keptA = new boolean[n];
        boolean[] keptB = new boolean[m];
        int x = n, y = m;
        for (int d = found; d > 0; d--) {
            int[] pv = trace.get(d);
            int k = x - y;
            int prevK = (k == -d || (k != d && pv[max + k - 1] < pv[max + k + 1])) ? k + 1 : k - 1;
            int prevX = pv[max + prevK];
            int prevY = prevX - prevK;
            while (x > prevX && y > prevY) {
                keptA[--x] = true;
                keptB[--y] = true;
            }
            x = prevX;
            y = prevY;
        }
        while (x > 0 && y > 0) {
            keptA[--x] = true;
            keptB[--y] = true;
        }
        List<Hunk> hunks = new ArrayList<>();
        int i = 0, j = 0;
        while (i < n || j < m) {
            if (i < n && j < m && keptA[i] && keptB[j]) {
                i++;
                j++;
                continue;
            }
            int si = i, sj = j;
            while (i < n && !keptA[i]) i++;
            while (j < m && !keptB[j]) j++;
            hunks.add(new Hunk(si, i, sj, j));
        }
        return hunks;
    }
}
