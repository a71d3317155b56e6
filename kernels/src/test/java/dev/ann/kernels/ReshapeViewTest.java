package dev.ann.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The reshape layer keeps the view it made of an array it sees again, and only while it is a view. */
class ReshapeViewTest {
    private static Layers.Reshape flatten() {
        Layers.Reshape r = new Layers.Reshape();
        r.dt = DataType.FLOAT;
        r.inShapes = new long[][] {{2, 3}};
        r.outShape = new long[] {6};
        return r;
    }

    /** a's values in row-major order */
    private static float[] values(INDArray a) {
        return a.dup('c').reshape(a.length()).toFloatVector();
    }

    @Test
    void theSameBatchArrayGivesTheSameViewWhichFollowsItsValues() {
        Layers.Reshape r = flatten();
        INDArray x = Nd4j.linspace(DataType.FLOAT, 1, 12, 1).reshape(2, 2, 3).dup();
        r.forward(new INDArray[] {x}, true);
        INDArray first = r.out;
        x.assign(Nd4j.linspace(DataType.FLOAT, 101, 12, 1).reshape(2, 2, 3)); // the next batch, into the same array
        r.forward(new INDArray[] {x}, true);
        assertSame(first, r.out);
        assertArrayEquals(new long[] {2, 6}, r.out.shape());
        assertEquals(107f, r.out.getFloat(1, 0), 0f);
        assertArrayEquals(values(x), values(r.out), 0f);

        INDArray g = Nd4j.linspace(DataType.FLOAT, 1, 12, 1).reshape(2, 6).dup();
        INDArray gx = r.backward(g)[0];
        g.muli(-1);
        assertSame(gx, r.backward(g)[0]);
        assertArrayEquals(new long[] {2, 2, 3}, gx.shape());
        assertArrayEquals(values(g), values(gx), 0f);

        INDArray other = Nd4j.ones(DataType.FLOAT, 2, 2, 3); // another array: a view of it, not the old one
        r.forward(new INDArray[] {other}, true);
        assertNotSame(first, r.out);
        assertEquals(1f, r.out.getFloat(1, 5), 0f);
    }

    @Test
    void anArrayThatCannotBeViewedSoIsReadAfreshEachTime() {
        Layers.Reshape r = flatten();
        // [2, 2, 3] as a permuted view of [3, 2, 2]: its reshape to [2, 6] is a copy
        INDArray base = Nd4j.linspace(DataType.FLOAT, 1, 12, 1).reshape(3, 2, 2).dup();
        INDArray x = base.permute(1, 2, 0);
        r.forward(new INDArray[] {x}, true);
        assertArrayEquals(values(x), values(r.out), 0f);
        float before = r.out.getFloat(0, 1);
        base.muli(10);
        r.forward(new INDArray[] {x}, true);
        assertArrayEquals(values(x), values(r.out), 0f);
        assertEquals(10 * before, r.out.getFloat(0, 1), 0f);
    }
}
