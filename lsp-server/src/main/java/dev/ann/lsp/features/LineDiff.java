package dev.ann.lsp.features;

import java.util.ArrayList;
import java.util.List;

/** A minimal line diff (Myers' O(ND) algorithm): the hunks that turn a into b. */
final class LineDiff {
    private LineDiff() {}

    /** Replace lines [aStart, aEnd) of a by lines [bStart, bEnd) of b. */
    record Hunk(int aStart, int aEnd, int bStart, int bEnd) {}

    static List<Hunk> diff(List<String> a, List<String> b) {
        int n = a.size(), m = b.size();
        int max = n + m;
        int[] v = new int[2 * max + 2];
        List<int[]> trace = new ArrayList<>();
        int found = -1;
        for (int d = 0; d <= max && found < 0; d++) {
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
