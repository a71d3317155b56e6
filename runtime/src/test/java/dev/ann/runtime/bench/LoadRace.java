package dev.ann.runtime.bench;

import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * bench/native-load-race: the JVM crash that oneDNN's library loading on one thread caused while another thread
 * used ND4J's buffers (see {@code K.loadLibraries}). One run: a second thread does what ND4J's start-up thread
 * did in {@code ann train} (the products' check, oneDNN's convolutions) while this thread turns fresh ND4J buffers
 * into NIO buffers, as the kernels' Java loops do, until the second thread is done.
 * <ul>
 * <li>{@code lazy}: ND4J started by its first array, oneDNN's preset left to load on the second thread (before
 * the fix);
 * <li>{@code at-start}: ND4J started by {@code Backend.init}, which loads the preset first (after it).
 * </ul>
 * Prints the calls made and how many gave a buffer of the wrong size; a crash ends the JVM (exit 134).
 */
public final class LoadRace {
    private static volatile boolean done;

    public static void main(String[] args) throws Exception {
        boolean atStart = args.length > 0 && args[0].equals("at-start");
        if (atStart) dev.ann.runtime.Backend.init("cpu");
        else Nd4j.create(DataType.FLOAT, 2, 2);
        Thread other = new Thread(() -> {
            try {
                dev.ann.kernels.K.prepare();
                dev.ann.runtime.OneDnn.get();
            } finally {
                done = true;
            }
        });
        long calls = 0, wrong = 0;
        other.start();
        while (!done) {
            INDArray x = Nd4j.create(DataType.FLOAT, 16, 8);
            FloatBuffer b = x.data().asNioFloat();
            if (b.capacity() != 128) wrong++;
            calls++;
        }
        System.out.println((atStart ? "at-start" : "lazy") + ": " + calls + " calls, " + wrong + " of the wrong size");
    }
}
