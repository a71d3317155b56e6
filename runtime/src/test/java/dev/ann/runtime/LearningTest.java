package dev.ann.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ann.runtime.train.Trainer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The examples learn what they are meant to learn. */
class LearningTest {
    @TempDir Path tmp;

    static { Backend.init(); }

    Trainer.Result train(dev.ann.plan.Plan plan) {
        Trainer.Options o = new Trainer.Options();
        o.out = tmp.resolve("run");
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        o.log = new PrintStream(bo, true);
        Trainer.Result r = Trainer.train(plan, o).get(0);
        System.out.println(bo);
        return r;
    }

    @Test
    void xorIsLearnedWithSigmoidHiddenUnits() {
        Trainer.Result r = train(Fixtures.xor());
        assertEquals(4, r.test().n);
        assertEquals(1.0, r.test().accuracy(), "xor truth table: " + r.test().text());
        assertTrue(r.test().loss < 0.1, "loss " + r.test().loss);
    }

    @Test
    void irisReaches93PercentOnTheTestSplit() {
        Trainer.Result r = train(Fixtures.iris());
        assertEquals(22, r.test().n); // 150 flowers: 105 train, 23 validation, 22 test
        assertTrue(r.test().accuracy() >= 0.93, r.test().text());
    }

    @Test
    void projectileRegressionBeatsTheMeanByFar() {
        Trainer.Result r = train(Fixtures.projectile(200));
        // R² = 1 - MSE / variance: predicting the mean scores 0
        assertTrue(r.test().r2 > 0.95, r.test().text());
    }
}
