package dev.ann.compiler.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ann.compiler.Compilation;
import dev.ann.compiler.diag.Diagnostic;
import dev.ann.plan.Plan;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** A profile's `sweep` lines: a grid of Plans, each value checked as its setting; and the `cluster` setting. */
class SweepTest {
    static final String BASE = """
            dataset D {
                csv("data/gates.csv", header: true, features: 0..1, label: 2)
                split train 80%, test 20%
            }
            network N {
                input [2]
                dense(4) -> relu
                dense(2) -> softmax
            }
            train N on D {
                loss cross_entropy
                optimizer adam(lr: 1e-2)
                batch 8
                epochs 3
            }
            """;

    static Compilation compile(String profile) {
        return PlanTest.compile(BASE + profile);
    }

    static String errors(Compilation c) {
        return c.diagnostics().stream().map(d -> d.code() + " " + (d.range() == null ? "" : "") + d.message())
                .collect(Collectors.joining("\n"));
    }

    @Test
    void twoSweepLinesMakeAGridInOrder() throws Exception {
        Compilation c = compile("""
                profile tune {
                    epochs 2
                    sweep batch 4, 16
                    sweep optimizer adam(lr: 1e-3), sgd(lr: 0.1), adam
                    repeat 2
                }
                """);
        assertTrue(c.diagnostics().stream().noneMatch(Diagnostic::isError), errors(c));
        List<Compilation.SweepPoint> pts = c.sweep(null, "tune");
        assertEquals(6, pts.size());
        assertEquals("batch 4, optimizer adam(lr: 1e-3)", pts.get(0).label());
        assertEquals("batch 4, optimizer sgd(lr: 0.1)", pts.get(1).label());
        assertEquals("batch 16, optimizer adam", pts.get(5).label());
        int[] batches = pts.stream().mapToInt(p -> p.plan().loop().batch()).toArray();
        assertEquals(List.of(4, 4, 4, 16, 16, 16), java.util.Arrays.stream(batches).boxed().toList());
        Plan sgd = pts.get(1).plan();
        assertEquals("sgd", sgd.optimizer().kind());
        assertEquals(0.1, ((Number) sgd.optimizer().args().values().get("lr")).doubleValue(), 1e-12);
        // the defaults are the PlanBuilder's, as for any optimizer setting: a bare adam has lr 1e-3
        assertEquals(1e-3, ((Number) pts.get(5).plan().optimizer().args().values().get("lr")).doubleValue(), 1e-12);
        // the profile's other settings hold in every combination
        assertTrue(pts.stream().allMatch(p -> p.plan().loop().epochs() == 2 && p.plan().loop().repeat() == 2));
        // without the profile, and under a profile without sweep lines, there is no sweep
        assertEquals(List.of(), c.sweep(null, null));
    }

    @Test
    void aSweptValueIsCheckedAsItsSetting() {
        Compilation c = compile("""
                profile tune {
                    sweep batch 4, 0
                }
                """);
        assertTrue(errors(c).contains("E038") || errors(c).toLowerCase().contains("batch"), errors(c));
        assertTrue(c.diagnostics().stream().anyMatch(d -> d.isError() && d.message().contains("0")), errors(c));
    }

    @Test
    void anUnknownSettingIsSaidWithAGuess() {
        Compilation c = compile("""
                profile tune {
                    sweep bacth 4, 16
                }
                """);
        Diagnostic d = c.diagnostics().stream().filter(Diagnostic::isError).findFirst().orElseThrow();
        assertEquals("E058", d.code());
        assertTrue(d.message().contains("did you mean 'batch'?"), d.message());
        assertEquals(1, c.diagnostics().stream().filter(Diagnostic::isError).count(), errors(c));
    }

    @Test
    void settingsThatCannotBeSweptSayWhy() {
        Compilation c = compile("""
                profile tune {
                    sweep seed 1, 2
                    sweep resize [4, 4], [8, 8]
                }
                """);
        String e = errors(c);
        assertTrue(e.contains("E058 seed cannot be swept: seeds are what `repeat K` varies"), e);
        assertTrue(e.contains("E058 resize cannot be swept"), e);
    }

    @Test
    void oneValueOrNoSettingIsAnError() {
        Compilation c = compile("""
                profile one {
                    sweep batch 4
                }
                profile none {
                    sweep 4, 8
                }
                """);
        String e = errors(c);
        assertTrue(e.contains("E058 sweep batch needs at least two values"), e);
        assertTrue(e.contains("E058 sweep needs the name of a setting"), e);
    }

    @Test
    void aGridOfMoreThan256CombinationsIsRefused() {
        String values = String.join(", ", java.util.stream.IntStream.rangeClosed(1, 20).mapToObj(String::valueOf).toList());
        Compilation c = compile("profile huge {\n    sweep batch " + values + "\n    sweep epochs " + values + "\n}\n");
        String e = errors(c);
        assertTrue(e.contains("E058 profile huge sweeps 400 combinations; at most 256"), e);
    }

    @Test
    void theClusterSettingReachesThePlanAndABadAddressIsSaid() throws Exception {
        Compilation c = compile("""
                profile spark {
                    cluster "local[2]"
                }
                profile bad {
                    cluster "spark:/host"
                }
                """);
        String e = errors(c);
        assertTrue(e.contains("E041 'spark:/host' is not a cluster address"), e);
        assertEquals(1, c.diagnostics().stream().filter(Diagnostic::isError).count(), e);
        Compilation ok = compile("""
                profile spark {
                    cluster "spark://127.0.0.1:7077"
                }
                """);
        assertEquals("spark://127.0.0.1:7077", ok.plan(null, "spark").loop().cluster());
        assertNull(ok.plan(null, null).loop().cluster());
    }
}
