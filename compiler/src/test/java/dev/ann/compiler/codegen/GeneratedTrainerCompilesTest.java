package dev.ann.compiler.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.squareup.javapoet.JavaFile;
import dev.ann.compiler.plan.Plan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Generated trainers compile with {@code javac -Xlint:all -Werror} against ND4J alone. */
class GeneratedTrainerCompilesTest {
    @TempDir Path tmp;

    @Test
    void handBuiltPlansCompileCleanly() throws Exception {
        Map<String, Plan> plans = new LinkedHashMap<>();
        plans.put("xor", TestPlans.xor());
        plans.put("iris", TestPlans.iris());
        plans.put("projectile", TestPlans.projectile());
        plans.put("mlp", TestPlans.fashionMlp());
        plans.put("cnn", TestPlans.everyLayer());
        for (var e : plans.entrySet()) {
            JavaFile f = TrainerGenerator.generate(e.getValue(), "gen." + e.getKey());
            f.writeTo(tmp.resolve("src"));
        }
        List<String> problems = JavaCompilation.compile(tmp.resolve("src"), tmp.resolve("classes"));
        assertEquals(List.of(), problems);
        assertTrue(Files.exists(tmp.resolve("classes/gen/iris/IrisNetTrainer.class")));
    }
}
