package dev.ann.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ann.plan.Plan;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class PlanCommandTest {

    @Test
    void irisTable() throws IOException {
        Run r = Run.of("plan", "../examples/iris.ann");
        assertEquals(Main.OK, r.exit(), r.err());
        Golden.assertMatches("plan-iris.txt", r.out());
    }

    @Test
    void fashionCnnTableUnderTheDevProfile() throws IOException {
        Run r = Run.of("plan", "../examples/fashion_cnn.ann", "--profile", "dev");
        assertEquals(Main.OK, r.exit(), r.err());
        Golden.assertMatches("plan-fashion_cnn-dev.txt", r.out());
        assertTrue(r.out().contains("[32, 7, 7]"), "resize [14, 14] halves the feature maps:\n" + r.out());
    }

    @Test
    void jsonIsThePlanAndReadsBack() throws IOException {
        Run r = Run.of("plan", "../examples/inception.ann", "--json");
        assertEquals(Main.OK, r.exit(), r.err());
        Golden.assertMatches("plan-inception.json", r.out().replaceAll("\"file\": \".*?\"", "\"file\": \"<file>\"")
                .replaceAll("\"(images|labels|path|folder)\": \"/.*?\"", "\"$1\": \"<path>\""));
        Plan plan = Plan.fromJson(r.out());
        assertEquals(Plan.hashArchitecture(plan.ops(), plan.params()), plan.architectureHash());
        assertTrue(plan.ops().stream().anyMatch(o -> o.kind().equals("concat")));
        assertTrue(plan.ops().stream().anyMatch(o -> o.kind().equals("add")));
    }

    @Test
    void unknownTrainOrProfileIsAnErrorThatNamesTheChoices() {
        Run r = Run.of("plan", "../examples/iris.ann", "--profile", "fast");
        assertEquals(Main.ERRORS, r.exit());
        assertTrue(r.err().contains("fast") && r.err().contains("dev"), r.err());
    }
}
