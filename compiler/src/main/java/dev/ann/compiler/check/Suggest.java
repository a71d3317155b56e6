package dev.ann.compiler.check;

import java.util.Collection;

/** "Did you mean": the closest known name by edit distance, if close enough. */
final class Suggest {
    private Suggest() {}

    /** The largest edit distance a suggestion may be from the name. */
    static final int MAX_DISTANCE = 3;

    static String closest(String name, Collection<String> candidates) {
        if (name == null || name.isEmpty()) return null;
        String best = null;
        int bestDist = Integer.MAX_VALUE;
        int allowed = Math.max(1, Math.min(MAX_DISTANCE, name.length() / 3));
        String lower = name.toLowerCase(java.util.Locale.ROOT);
        for (String c : candidates) {
            if (c == null || c.isEmpty() || c.equals(name)) continue;
            // further apart in length than any answer may be: skip the quadratic distance (a name can be megabytes long)
            if (Math.abs(c.length() - name.length()) > allowed) continue;
            int d = distance(lower, c.toLowerCase(java.util.Locale.ROOT));
            if (d < bestDist) {
                bestDist = d;
                best = c;
            }
        }
        if (best != null && (bestDist <= allowed || best.toLowerCase(java.util.Locale.ROOT).equals(lower))) return best;
        return null;
    }

    /** Damerau-Levenshtein (optimal string alignment): a swap of two letters counts one. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) d[i][0] = i;
        for (int j = 0; j <= b.length(); j++) d[0][j] = j;
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
