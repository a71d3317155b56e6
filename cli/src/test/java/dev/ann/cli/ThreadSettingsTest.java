package dev.ann.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ann.compiler.Compiler;
import dev.ann.runtime.Relaunch;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OpenMP settings ann train starts its child JVM with: always passive
 * waiting; one thread for networks whose batches are too small for two
 * (docs/training.md, "Threads").
 */
class ThreadSettingsTest {
    @TempDir Path tmp;

    /** The settings for an example's plan; Fashion-MNIST's shape from a few pictures (FashionFixture). */
    Map<String, String> settings(String file) throws Exception {
        return Relaunch.wanted(Compiler.compile(FashionFixture.examples(tmp.resolve(file), true).resolve(file)).plan(null, null));
    }

    @Test
    void smallNetworksTrainOnOneThread() throws Exception {
        for (String file : new String[] {"iris.ann", "fashion_mlp.ann", "xor.ann"}) {
            Map<String, String> s = settings(file);
            assertEquals("passive", s.get("OMP_WAIT_POLICY"), file);
            assertEquals("1", s.get("OMP_NUM_THREADS"), file);
        }
    }

    /** The plan of an example (as {@link #settings}). */
    dev.ann.plan.Plan plan(String file) throws Exception {
        return Compiler.compile(FashionFixture.examples(tmp.resolve(file), true).resolve(file)).plan(null, null);
    }

    @Test
    void smallNetworksInferInThisJvmUnlessTheUserSetOpenMp() throws Exception {
        for (String file : new String[] {"iris.ann", "fashion_mlp.ann", "xor.ann"}) {
            dev.ann.plan.Plan p = plan(file);
            assertTrue(Relaunch.infersInProcess(p, Map.of()), file);
            assertFalse(Relaunch.infersInProcess(p, Map.of("OMP_NUM_THREADS", "2")), file);
            assertFalse(Relaunch.infersInProcess(p, Map.of("OMP_WAIT_POLICY", "active")), file);
        }
        assertFalse(Relaunch.infersInProcess(plan("fashion_cnn.ann"), Map.of()), "fashion_cnn relaunches with passive waiting");
    }

    @Test
    void convolutionalNetworksTrainOnEveryCore() throws Exception {
        Map<String, String> s = settings("fashion_cnn.ann");
        assertEquals("passive", s.get("OMP_WAIT_POLICY"));
        assertFalse(s.containsKey("OMP_NUM_THREADS"), s.toString());
    }
}
