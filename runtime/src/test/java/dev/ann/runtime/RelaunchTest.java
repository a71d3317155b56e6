package dev.ann.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a relaunched JVM that runs convolutions gets besides the parent's options, and how its error output is passed on. */
class RelaunchTest {
    static String passedOn(String childErr) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Relaunch.passOn(new ByteArrayInputStream(childErr.getBytes(StandardCharsets.UTF_8)), out);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void theIncubatorWarningIsDroppedWhenItIsTheFirstLine() throws Exception {
        String nl = System.lineSeparator();
        assertEquals("error: boom" + nl, passedOn(Relaunch.INCUBATOR_WARNING + nl + "error: boom" + nl));
        assertEquals("", passedOn(Relaunch.INCUBATOR_WARNING + nl));
    }

    @Test
    void everythingElsePassesUnchanged() throws Exception {
        String nl = System.lineSeparator();
        for (String s : List.of("", "x", "error: boom" + nl + Relaunch.INCUBATOR_WARNING + nl,
                Relaunch.INCUBATOR_WARNING, // no line end: not the JVM's line
                Relaunch.INCUBATOR_WARNING + ", jdk.incubator.foreign" + nl + "more" + nl,
                "y".repeat(5000) + nl + "z", "\u00e9t\u00e9 ".repeat(300))) {
            assertEquals(s, passedOn(s), "passed on unchanged");
        }
    }

    @Test
    void aConvolvingChildGetsTheVectorModuleWhereTheJdkHasItAndTheOptionsLackIt() {
        boolean has = java.lang.module.ModuleFinder.ofSystem().find(dev.ann.kernels.Blocked.VECTOR_MODULE).isPresent();
        assertEquals(has ? List.of("--add-modules=jdk.incubator.vector") : List.of(), Relaunch.vectorOptions(List.of("-Xmx2g")));
        assertEquals(List.of(), Relaunch.vectorOptions(List.of("--add-modules=jdk.incubator.vector")), "named already");
        assertEquals(List.of(), Relaunch.vectorOptions(List.of("--add-modules", "java.sql,jdk.incubator.vector")), "named already");
        assertTrue(Relaunch.INCUBATOR_WARNING.endsWith(dev.ann.kernels.Blocked.VECTOR_MODULE));
    }
}
