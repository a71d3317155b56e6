package dev.ann.kernels;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Adam's float32 loop ({@link Optimizer#adam}) written with the Vector API ({@code jdk.incubator.vector}, JDK 17's
 * second incubator), loading and storing straight from ND4J's buffers: no copy into chunk arrays. Per element it
 * does the plain loop's operations in the plain loop's order (IEEE float multiply, add, divide and a correctly
 * rounded square root, no fused multiply-add), so its results are the plain loop's bit for bit
 * ({@code VectorAdamTest}, and {@link Optimizer.Loops#vector} checks it once before using it).
 *
 * <p>It lives apart from the kernels' sources ({@code src/main/vector}), compiled with the incubator module: the
 * generated trainer gets the kernels' sources without it and runs the plain loop, to the same numbers. ann's
 * training JVM has the module when ann relaunches itself for training ({@code Relaunch}); any other JVM, or a JDK
 * whose incubator API differs (JDK 19 replaced these ByteBuffer loads with MemorySegment ones), runs the plain loop.
 * One thread over fashion_mlp's 235k parameters (2026-12-04, the AMD machine): 430-590 µs a step against
 * 750-920 for the chunked loop (bench/peers/profiles/README.md).
 */
final class VectorAdam implements Optimizer.AdamLoop {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    VectorAdam() {}

    @Override
    public void range(ByteBuffer pb, ByteBuffer gb, ByteBuffer mb, ByteBuffer vb, int from, int to,
                      float b1, float b2, float c1, float c2, float lr, float e) {
        int i = from;
        for (int up = from + S.loopBound(to - from); i < up; i += S.length()) {
            int at = 4 * i;
            FloatVector gi = FloatVector.fromByteBuffer(S, gb, at, NATIVE);
            FloatVector mi = FloatVector.fromByteBuffer(S, mb, at, NATIVE).mul(b1).add(gi.mul(c1));
            FloatVector vi = FloatVector.fromByteBuffer(S, vb, at, NATIVE).mul(b2).add(gi.mul(c2).mul(gi));
            mi.intoByteBuffer(mb, at, NATIVE);
            vi.intoByteBuffer(vb, at, NATIVE);
            FloatVector pi = FloatVector.fromByteBuffer(S, pb, at, NATIVE);
            pi.sub(mi.mul(lr).div(vi.sqrt().add(e))).intoByteBuffer(pb, at, NATIVE);
        }
        for (; i < to; i++) { // the tail, shorter than a vector: the plain loop's arithmetic
            int at = 4 * i;
            float gi = gb.getFloat(at);
            float mi = b1 * mb.getFloat(at) + c1 * gi;
            float vi = b2 * vb.getFloat(at) + c2 * gi * gi;
            mb.putFloat(at, mi);
            vb.putFloat(at, vi);
            pb.putFloat(at, pb.getFloat(at) - lr * mi / ((float) Math.sqrt(vi) + e));
        }
    }
}
