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

/** What the generated trainer prints (one line per epoch, the final result) and its metrics of a split. */
final class ReportCode {
    private final boolean classification;
    private final ClassName metrics = ClassName.get("", "Metrics");

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
            b.addStatement("double p = m.accuracy(), se = Math.sqrt(p * (1 - p) / m.n)");
            b.addStatement("System.out.printf($T.ROOT, \"%s: accuracy %.2f%% ± %.2f%% (SE) over n = %d (%d correct); loss %.4f%n\",$Wsplit, 100 * p, 100 * se, m.n, m.correct(), m.loss)",
                    Locale.class);
        } else {
            b.addStatement("System.out.printf($T.ROOT, \"%s: MSE %.6g, MAE %.6g, R² %.4f over n = %d%n\",$Wsplit, m.mse, m.mae, m.r2, m.n)",
                    Locale.class);
        }
        return MethodSpec.methodBuilder("printResult")
                .addJavadoc("The final result on a split.\n")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(String.class, "split")
                .addParameter(metrics, "m")
                .addCode(b.build())
                .build();
    }

    TypeSpec metricsType() {
        TypeSpec.Builder t = TypeSpec.classBuilder("Metrics")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addField(int.class, "n", Modifier.FINAL)
                .addField(double.class, "loss", Modifier.FINAL);
        TypeName map = ParameterizedTypeName.get(Map.class, String.class, Double.class);
        if (classification) {
            t.addJavadoc("Classification metrics of a split: loss, accuracy, and macro-averaged precision, recall and F1\n"
                    + "from the confusion matrix (rows: true class, columns: predicted).\n");
            t.addField(long[][].class, "confusion", Modifier.FINAL);
            t.addMethod(MethodSpec.constructorBuilder()
                    .addParameter(int.class, "n").addParameter(double.class, "loss").addParameter(long[][].class, "confusion")
                    .addStatement("this.n = n").addStatement("this.loss = loss").addStatement("this.confusion = confusion").build());
            t.addMethod(MethodSpec.methodBuilder("correct").returns(long.class)
                    .addStatement("long c = 0")
                    .addStatement("for (int i = 0; i < confusion.length; i++) c += confusion[i][i]")
                    .addStatement("return c").build());
            t.addMethod(MethodSpec.methodBuilder("accuracy").returns(double.class)
                    .addStatement("return n == 0 ? Double.NaN : (double) correct() / n").build());
            t.addMethod(MethodSpec.methodBuilder("asMap")
                    .addJavadoc("loss, accuracy, precision, recall, f1: the names {@code ann train} gives them.\n")
                    .returns(map)
                    .addCode(code("""
                            int k = confusion.length;
                            double precision = 0, recall = 0, f1 = 0;
                            for (int c = 0; c < k; c++) {
                                long column = 0, row = 0;
                                for (int i = 0; i < k; i++) {
                                    column += confusion[i][c];
                                    row += confusion[c][i];
                                }
                                double p = column == 0 ? 0 : (double) confusion[c][c] / column;
                                double r = row == 0 ? 0 : (double) confusion[c][c] / row;
                                precision += p;
                                recall += r;
                                f1 += p + r == 0 ? 0 : 2 * p * r / (p + r);
                            }
                            $map:T<String, Double> m = new $linkedhashmap:T<>();
                            m.put("loss", loss);
                            m.put("accuracy", accuracy());
                            m.put("precision", precision / k);
                            m.put("recall", recall / k);
                            m.put("f1", f1 / k);
                            return m;
                            """))
                    .build());
        } else {
            t.addJavadoc("Regression metrics of a split: loss, MSE, MAE and R² = 1 - SSE/SST over all target values.\n");
            t.addField(double.class, "mse", Modifier.FINAL).addField(double.class, "mae", Modifier.FINAL).addField(double.class, "r2", Modifier.FINAL);
            t.addMethod(MethodSpec.constructorBuilder()
                    .addParameter(int.class, "n").addParameter(double.class, "loss").addParameter(double.class, "mse")
                    .addParameter(double.class, "mae").addParameter(double.class, "r2")
                    .addStatement("this.n = n").addStatement("this.loss = loss").addStatement("this.mse = mse")
                    .addStatement("this.mae = mae").addStatement("this.r2 = r2").build());
            t.addMethod(MethodSpec.methodBuilder("asMap")
                    .addJavadoc("loss, mse, mae, r2: the names {@code ann train} gives them.\n")
                    .returns(map)
                    .addCode(code("""
                            $map:T<String, Double> m = new $linkedhashmap:T<>();
                            m.put("loss", loss);
                            m.put("mse", mse);
                            m.put("mae", mae);
                            m.put("r2", r2);
                            return m;
                            """))
                    .build());
        }
        return t.build();
    }
}

