package dev.ann.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.squareup.javapoet.JavaFile;
import dev.ann.compiler.Compilation;
import dev.ann.compiler.Compiler;
import dev.ann.plan.Plan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every train block of every example (its data files need not be there), with and without each of its
 * profiles, and hand-built plans that use every layer kind, generate trainers
 * that compile with {@code javac -Xlint:all -Werror} against ND4J alone plus
 * the kernel sources written beside them. All
 * are compiled in one javac run to keep the test fast.
 */
class GeneratedTrainerCompilesTest {
    @TempDir Path tmp;

    @Test
    void everyExampleAndEveryLayerKindCompilesCleanly() throws Exception {
        Path src = tmp.resolve("src");
        List<String> generated = new ArrayList<>();
        List<Path> examples;
        try (Stream<Path> s = Files.list(TestPlans.EXAMPLES)) {
            examples = s.filter(p -> p.toString().endsWith(".ann")).sorted().toList();
        }
        for (Path example : examples) {
            // Generating never reads the data: without Debian's dataset-fashion-mnist only its
            // files are missing (E043), and the trainers are generated all the same.
            Compilation c = Compiler.compile(example);
            assertEquals(List.of(), c.planningErrors(), example.toString());
            String pkg = "examples." + example.getFileName().toString().replace(".ann", "");
            List<String> profiles = new ArrayList<>();
            profiles.add(null);
            profiles.addAll(c.profileNames());
            for (String train : c.trainNames()) {
                for (String profile : profiles) {
                    Plan plan = c.planWithoutData(train, profile);
                    String p = profile == null ? pkg : pkg + "." + profile;
                    TrainerGenerator.generate(plan, p).writeTo(src);
                    generated.add(p + "." + TrainerGenerator.className(plan));
                }
            }
        }
        // every example with a train block produced a trainer
        assertTrue(generated.contains("examples.iris.IrisNetTrainer"), generated.toString());
        assertTrue(generated.contains("examples.xor.NeuronTrainer"), generated.toString());
        assertTrue(generated.contains("examples.inception.dev.InceptionNetTrainer"), generated.toString());
        for (var e : List.of(TestPlans.fashionMlp(), TestPlans.everyLayer(), TestPlans.projectile())) {
            JavaFile f = TrainerGenerator.generate(e, "handbuilt." + e.train().toLowerCase());
            f.writeTo(src);
            generated.add(f.packageName + "." + f.typeSpec.name);
        }
        // the kernels the trainers call travel as sources: compiled with them, ann's own classes are not on the class path
        assertFalse(KernelSources.writeTo(src).isEmpty());
        List<String> problems = JavaCompilation.compile(src, tmp.resolve("classes"));
        assertEquals(List.of(), problems);
        for (String cls : generated) {
            assertTrue(Files.exists(tmp.resolve("classes").resolve(cls.replace('.', '/') + ".class")), cls);
        }
    }
}
