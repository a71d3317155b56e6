package dev.ann.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WindowsTest {
    @Test
    void readsInterpolatesAndWindows(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("s.csv");
        Files.writeString(f, "t,a,b\n0,1,10\n1,,20\n2,3,\n3,4,40\n4,5,50\n5,6,?\n");
        Windows.Series s = Windows.read(f, true, ',', new int[] {1, 2}, 1000);
        assertEquals(6, s.rows());
        assertEquals(3, s.missing());
        assertTrue(Float.isNaN(s.at(1, 0)));
        Windows.interpolate(s);
        assertArrayEquals(new float[] {1, 10, 2, 20, 3, 30, 4, 40, 5, 50, 6, 50}, s.values(), 1e-6f);
        // window 2 over both columns, horizon 2 of column 1 (b)
        assertEquals(3, Windows.count(6, 2, 2));
        float[] x = new float[4], y = new float[2];
        Windows.sample(s, 0, 1, 2, 2, new int[] {0, 1}, new int[] {1}, x, 0, y, 0, false);
        assertArrayEquals(new float[] {2, 20, 3, 30}, x);
        assertArrayEquals(new float[] {40, 50}, y);
        // relative: the same window less its last row (3, 30), the targets less column b's 30
        Windows.sample(s, 0, 1, 2, 2, new int[] {0, 1}, new int[] {1}, x, 0, y, 0, true);
        assertArrayEquals(new float[] {-1, -10, 0, 0}, x);
        assertArrayEquals(new float[] {10, 20}, y);
        // and restore adds it back: the levels of the plain window's targets
        double[] v = {10, 20};
        Windows.restore(s, 0, 1, 2, new int[] {1}, v);
        assertArrayEquals(new double[] {40, 50}, v);
        // a forecast (no targets) fills x only; a target column that is not a feature is relative to its own last value
        float[] xa = new float[2];
        Windows.sample(s, 0, 3, 2, 0, new int[] {0}, new int[] {1}, xa, 0, null, 0, true);
        assertArrayEquals(new float[] {-1, 0}, xa);
        float[] ya = new float[1];
        Windows.sample(s, 0, 0, 2, 1, new int[] {0}, new int[] {1}, xa, 0, ya, 0, true);
        assertArrayEquals(new float[] {30 - 20}, ya);
    }

    @Test
    void splitByTimeAndFitOnTrainRows() {
        assertArrayEquals(new int[] {0, 70, 85, 100}, Windows.bounds(100, 0.7, 0.15));
        assertEquals(0, Windows.count(3, 2, 2));
        Windows.Series s = new Windows.Series(4, 1, new float[] {1, 3, 100, 200}, 0);
        float[][] st = Windows.fit(s, 0, 2, false);
        assertEquals(2f, st[0][0]);
        assertEquals(1f, st[1][0]);
        float[][] mm = Windows.fit(s, 0, 2, true);
        assertEquals(1f, mm[0][0]);
        assertEquals(0.5f, mm[1][0]);
        Windows.normalize(s, st[0], st[1]);
        assertArrayEquals(new float[] {-1, 1, 98, 198}, s.values());
    }

    @Test
    void badRowsSayWhere(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("s.csv");
        Files.writeString(f, "1,2\n3,x\n");
        Windows.SeriesException e = assertThrows(Windows.SeriesException.class, () -> Windows.read(f, false, ',', new int[] {1}, 100));
        assertEquals(2, e.line);
        assertEquals(3, e.col);
        assertTrue(e.getMessage().contains("found 'x'"));
        Files.writeString(f, "1,2\n3\n");
        e = assertThrows(Windows.SeriesException.class, () -> Windows.read(f, false, ',', new int[] {1}, 100));
        assertEquals(2, e.line);
        Files.writeString(f, "1,2\n3,4\n5,6\n");
        assertTrue(assertThrows(Windows.SeriesException.class, () -> Windows.read(f, false, ',', new int[] {0, 1}, 5))
                .getMessage().contains("more than 5 values"));
    }
}
