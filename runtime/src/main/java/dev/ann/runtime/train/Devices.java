package dev.ann.runtime.train;

import dev.ann.runtime.Backend;
import java.io.PrintStream;

/** cpu, gpu or auto: {@link Backend#init(String)} chooses and starts ND4J; this says what it chose. */
public final class Devices {
    private Devices() {}

    /**
     * Starts ND4J on the requested device (null: auto) and returns the device
     * for the run's log and summary, e.g. {@code cpu (nd4j native linux-x86_64-onednn, 2 threads)}.
     * auto says in one line on {@code log} which device it took and why. A GPU
     * demanded where none can run is a RunException (exit 1) that says what is
     * missing and how to get it.
     */
    public static String resolve(String requested, PrintStream log) {
        String r = requested == null ? "auto" : requested;
        Backend.Choice c = Backend.init(r);
        if ("auto".equals(r)) log.println("device auto: " + ("gpu".equals(c.device()) ? c.why() : "CPU, " + c.why()));
        return c.device() + " (" + Backend.describe() + ")";
    }
}
