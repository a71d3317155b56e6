package dev.ann.runtime.train;

import dev.ann.runtime.Backend;
import dev.ann.runtime.RunException;
import java.io.PrintStream;

/** cpu, gpu or auto, against the ND4J backend this build carries. */
public final class Devices {
    private Devices() {}

    public static boolean cudaBackend() {
        try {
            Class.forName("org.nd4j.linalg.jcublas.JCublasBackend", false, Devices.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /** The device to use, or a RunException when a GPU is demanded and there is none. */
    public static String resolve(String requested, PrintStream log) {
        String r = requested == null ? "auto" : requested;
        boolean cuda = cudaBackend();
        switch (r) {
            case "gpu" -> {
                if (!cuda) {
                    throw new RunException(RunException.FAILURE, "--device gpu: this build of ann has the CPU backend only. "
                            + "Build with the CUDA backend (mvn -B -Pcuda -DskipTests -pl cli -am package, see README) "
                            + "on a machine with an NVIDIA GPU, or use --device cpu.");
                }
                return "gpu (" + Backend.describe() + ")";
            }
            case "auto" -> {
                if (cuda) {
                    log.println("device auto: using the GPU (CUDA backend)");
                    return "gpu (" + Backend.describe() + ")";
                }
                log.println("device auto: no CUDA backend in this build, using the CPU");
                return "cpu (" + Backend.describe() + ")";
            }
            default -> {
                if (cuda) {
                    throw new RunException(RunException.FAILURE, "--device cpu: this build of ann carries the CUDA backend; "
                            + "use the default (CPU) build for CPU training, or --device gpu.");
                }
                return "cpu (" + Backend.describe() + ")";
            }
        }
    }
}
