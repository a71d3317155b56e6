package dev.ann.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ann.compiler.CompileException;
import dev.ann.compiler.Compiler;
import dev.ann.plan.Plan;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The trainer generated for examples/iris.ann, compared with the file
 * committed under src/test/resources/codegen. After an intended change to the
 * generator, refresh it with {@code UPDATE_GOLDEN=1 mvn test -pl compiler}
 * (or {@code -Dann.updateGolden=true}) and review the diff.
 */
class GoldenTrainerTest {
    static final Path GOLDEN = Path.of("src/test/resources/codegen/IrisNetTrainer.java.golden");

    @Test
    void irisTrainerMatchesTheGoldenFile() throws IOException, CompileException {
        Plan plan = Compiler.compile(TestPlans.EXAMPLES.resolve("iris.ann")).plan(null, null);
        String generated = TrainerGenerator.generate(plan, "iris").toString()
                .replace(TestPlans.EXAMPLES.toString(), "EXAMPLES");
        if (!System.getenv().getOrDefault("UPDATE_GOLDEN", "").isEmpty() || Boolean.getBoolean("ann.updateGolden")) {
            Files.createDirectories(GOLDEN.getParent());
            Files.writeString(GOLDEN, generated, StandardCharsets.UTF_8);
        }
        String expected = Files.exists(GOLDEN) ? Files.readString(GOLDEN, StandardCharsets.UTF_8) : "(no golden file yet)";
        assertEquals(expected, generated, "the generated trainer changed; if that is intended, run with UPDATE_GOLDEN=1 and review "
                + GOLDEN);
    }
}
