package dev.ann.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Class names from the labels seen, and labels to class indices. */
class LabelsTest {
    @Test
    void classNamesAreIntegersUpToTheLargestOrTheLabelsSorted() {
        assertEquals(List.of("0", "1", "2", "3"), Labels.classNames(List.of("3", "1", "1"), 2));
        assertEquals(List.of("0", "1", "2", "3", "4"), Labels.classNames(List.of("3", "1"), 5));
        assertEquals(List.of("cat", "dog", "emu"), Labels.classNames(List.of("emu", "cat", "dog", "cat"), 3));
        assertEquals(List.of("1", "x"), Labels.classNames(List.of("x", "1"), 0));
        assertEquals(List.of("0", "1"), Labels.numbered(2));
    }

    @Test
    void indicesByNameOrNumberAndTheFirstBadLabelIsReported() {
        List<String> names = List.of("cat", "dog");
        assertEquals(1, Labels.index("dog", names, 2));
        assertEquals(0, Labels.index("0", names, 2));
        assertEquals(-1, Labels.index("2", names, 0));
        assertEquals(-1, Labels.index("5", List.of(), 3));
        assertEquals(-1, Labels.index("emu", names, 2));
        assertArrayEquals(new int[] {1, 0, 1}, Labels.indices("f.csv", List.of("dog", "cat", "1"), names, 2));
        BadData e = assertThrows(BadData.class, () -> Labels.indices("f.csv", List.of("dog", "emu", "yak"), names, 2));
        assertEquals("f.csv: label 'emu' of data row 2 is not one of the classes [cat, dog]", e.getMessage());
        Labels.checkRange("l.idx", new int[] {0, 9}, 10);
        Labels.checkRange("l.idx", new int[] {0, 12}, 0);
        e = assertThrows(BadData.class, () -> Labels.checkRange("l.idx", new int[] {0, 10}, 10));
        assertEquals("l.idx: label 10 is out of range: the network has 10 outputs", e.getMessage());
    }
}
