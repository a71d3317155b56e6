package dev.ann.runtime;

import static dev.ann.runtime.PlanBuilder.args;

import dev.ann.plan.Args;
import dev.ann.plan.DataPipeline;
import dev.ann.plan.Plan;
import dev.ann.plan.Shape;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Plans of the examples, built by hand the way the compiler builds them (until the compiler is on main). */
public final class Fixtures {
    private Fixtures() {}

    public static final Path EXAMPLES = Path.of("..", "examples").toAbsolutePath().normalize();

    static DataPipeline.Source csv(String role, Path file, List<Integer> features, String labelKey, int label) {
        return new DataPipeline.Source(role, "csv", new Args(args("path", file.toString(), "header", true,
                "features", features, labelKey, List.of(label), "delimiter", ",")));
    }

    public static Plan xor() {
        Path f = EXAMPLES.resolve("xor.csv");
        DataPipeline d = new DataPipeline("Xor", List.of(csv("train", f, List.of(0, 1), "label", 2), csv("test", f, List.of(0, 1), "label", 2)),
                Shape.of(2), new DataPipeline.Labels("classes", List.of("false", "true"), 2, 0), null, 0, 1, "none", true, 1, 1, null);
        return new PlanBuilder(2).dense(4, "xavier").act("sigmoid").dense(1, "xavier").act("sigmoid")
                .loss("binary_cross_entropy", Map.of()).optimizer("adam", args("lr", 0.1))
                .loop(new Plan.Loop(4, 300, null, null, 1, "cpu")).seed(1).metrics("accuracy", "loss").data(d).build();
    }

    public static Plan iris() {
        Path f = EXAMPLES.resolve("iris.csv");
        DataPipeline d = new DataPipeline("Iris", List.of(csv("all", f, List.of(0, 1, 2, 3), "label", 4)), Shape.of(4),
                new DataPipeline.Labels("classes", List.of(), 3, 0), new DataPipeline.Split(0.7, 0.15, 0.15), 0, 1, "standard", true, 1, 1, null);
        return new PlanBuilder(4).dense(16).act("relu").dense(3, "xavier").act("softmax")
                .loss("cross_entropy", args("from_logits", false)).optimizer("adam", args("lr", 1e-2))
                .loop(new Plan.Loop(16, 60, null, null, 1, "cpu")).seed(42).metrics("accuracy", "loss").data(d).build();
    }

    public static Plan projectile(int epochs) {
        Path f = EXAMPLES.resolve("projectile.csv");
        DataPipeline d = new DataPipeline("Throws", List.of(csv("all", f, List.of(0, 1, 2), "target", 3)), Shape.of(3),
                new DataPipeline.Labels("targets", List.of(), 0, 1), new DataPipeline.Split(0.7, 0.15, 0.15), 0, 1, "standard", true, 3, 1, null);
        return new PlanBuilder(3).dense(32, "xavier").act("tanh").dense(32, "xavier").act("tanh").dense(1, "xavier")
                .loss("mse", Map.of()).optimizer("adam", args("lr", 3e-3)).schedule("exponential", args("gamma", 0.99))
                .loop(new Plan.Loop(32, epochs, new Plan.EarlyStopping("val_loss", 30, 0, "min"), null, 1, "cpu"))
                .seed(5).metrics("loss", "mae", "r2").data(d).build();
    }
}
