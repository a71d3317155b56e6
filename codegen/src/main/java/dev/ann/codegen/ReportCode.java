package dev.ann.codegen;

import static dev.ann.codegen.Types.code;

import com.squareup.javapoet.ClassName;
import com.squareup.javapoet.CodeBlock;
import com.squareup.javapoet.FieldSpec;
import com.squareup.javapoet.MethodSpec;
import com.squareup.javapoet.ParameterizedTypeName;
import com.squareup.javapoet.TypeName;
import com.squareup.javapoet.TypeSpec;
import dev.ann.plan.Plan;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.lang.model.element.Modifier;

/** What the generated trainer prints: one line per epoch, and the final result on a split (the kernels' {@code Metrics}). */
final class ReportCode {
    private final boolean classification;

    ReportCode(boolean classification) {
        this.classification = classification;
    }

    MethodSpec printEpochMethod() {
        return MethodSpec.methodBuilder("printEpoch")
                .addJavadoc("One line per epoch, as {@code ann train} prints it when its output is not a terminal.\n")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(ParameterizedTypeName.get(Map.class, String.class, Double.class), "row")
                .addParameter(int.class, "epochs")
                .addCode(code("""
                        StringBuilder line = new StringBuilder(String.format("epoch %d/%d", row.get("epoch").intValue(), epochs));
                        row.forEach((name, value) -> {
                            if ($list:T.of("epoch", "seconds", "samples_per_s", "lr").contains(name)) return;
                            line.append("  ").append(name).append(' ')
                                    .append(name.contains("accuracy") ? String.format("%.2f%%", 100 * value) : String.format("%.4f", value));
                        });
                        long s = Math.round(row.get("seconds"));
                        line.append(String.format("  %d:%02d  %,.0f samples/s", s / 60, s % 60, row.get("samples_per_s")));
                        System.out.println(line);
                        """))
                .build();
    }

    MethodSpec printResultMethod() {
        CodeBlock.Builder b = CodeBlock.builder();
        if (classification) {
            b.addStatement("System.out.printf($T.ROOT, \"%s: accuracy %.2f%% ± %.2f%% (SE) over n = %d (%d correct); loss %.4f%n\",$Wsplit, 100 * m.accuracy(), 100 * m.standardError(), m.n, m.correct(), m.loss)",
                    Locale.class);
        } else {
            b.addStatement("System.out.printf($T.ROOT, \"%s: MSE %.6g, MAE %.6g, R² %.4f over n = %d%n\",$Wsplit, m.mse(), m.mae(), m.r2(), m.n())",
                    Locale.class);
        }
        return MethodSpec.methodBuilder("printResult")
                .addJavadoc("The final result on a split.\n")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(String.class, "split")
                .addParameter(classification ? KernelTypes.METRICS_CLASSES : KernelTypes.METRICS_REGRESSION, "m")
                .addCode(b.build())
                .build();
    }
}
