package dev.ann.compiler.spec;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The reference tables of docs/language.md, written from the Registry so that
 * the documentation cannot drift from the declarations (a test compares them).
 */
public final class ReferenceDoc {
    private ReferenceDoc() {}

    /** Section name → markdown, in the order the reference shows them. */
    public static Map<String, String> sections(Registry r) {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("layers", specs(r.all(Category.LAYER), true));
        out.put("activations", specs(r.all(Category.ACTIVATION), true));
        out.put("structure", specs(List.of(Structure.CONCAT, Structure.ADD), true));
        out.put("losses", specs(r.all(Category.LOSS), false));
        out.put("optimizers", specs(r.all(Category.OPTIMIZER), false));
        out.put("schedules", specs(r.all(Category.SCHEDULE), false));
        out.put("metrics", metrics(r));
        out.put("initializers", specs(r.all(Category.INITIALIZER), false));
        out.put("sources", specs(r.all(Category.DATA_SOURCE), false));
        out.put("dataset-settings", settings(r.all(Category.DATASET_SETTING)));
        out.put("train-settings", settings(r.all(Category.TRAIN_SETTING)));
        out.put("profile-settings", settings(r.all(Category.PROFILE_SETTING).stream()
                .filter(s -> r.find(Category.TRAIN_SETTING, s.name()).isEmpty()).toList())
                + "\nA profile also takes every train setting above; its value replaces the train block's.\n");
        return out;
    }

    private static String specs(List<? extends Spec> specs, boolean shapes) {
        StringBuilder sb = new StringBuilder();
        for (Spec s : specs) {
            sb.append("#### `").append(s.name()).append("`\n\n");
            sb.append("`").append(s.signature()).append("`\n\n");
            sb.append(s.doc()).append("\n\n");
            if (shapes && s instanceof LayerSpec l) {
                sb.append("Shape: ").append(l.shapeDoc()).append(".");
                if (!l.differentiable()) sb.append(" Not differentiable: the checker warns when gradients must flow through it.");
                sb.append("\n\n");
            }
            args(sb, s.args());
        }
        return sb.toString();
    }

    private static void args(StringBuilder sb, List<ArgSpec> args) {
        if (args.isEmpty()) return;
        sb.append("| argument | type | default | allowed | meaning |\n|---|---|---|---|---|\n");
        for (ArgSpec a : args) {
            sb.append("| `").append(a.name()).append("` | ").append(type(a)).append(" | ")
              .append(a.required() ? "required" : a.defaultValue() == null ? "(see meaning)" : "`" + Values.show(a.defaultValue()) + "`")
              .append(" | ").append(allowed(a)).append(" | ").append(a.doc().replace("|", "\\|")).append(" |\n");
        }
        sb.append('\n');
    }

    private static String type(ArgSpec a) {
        return a.type() == Type.ENUM ? String.join(" \\| ", a.choices()) : a.type().label().replace("|", "\\|");
    }

    private static String allowed(ArgSpec a) {
        if (a.min() == null && a.max() == null) return a.type() == Type.ENUM ? "one of these names" : "any";
        String lo = a.min() == null ? "" : (a.minInclusive() ? "≥ " : "> ") + num(a.min());
        String hi = a.max() == null ? "" : (a.maxInclusive() ? "≤ " : "< ") + num(a.max());
        return lo.isEmpty() ? hi : hi.isEmpty() ? lo : lo + ", " + hi;
    }

    private static String num(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }

    private static String metrics(Registry r) {
        StringBuilder sb = new StringBuilder("| metric | task | better | meaning |\n|---|---|---|---|\n");
        for (Spec s : r.all(Category.METRIC)) {
            ComponentSpec m = (ComponentSpec) s;
            sb.append("| `").append(m.name()).append("` | ").append(m.task()).append(" | ").append(m.mode().equals("max")
                    ? "higher" : "lower").append(" | ").append(m.doc()).append(" |\n");
        }
        return sb.append("\nEvery metric `m` also has a validation form `val_m` (measured on the validation samples) for "
                + "`early_stopping(monitor: ...)` and `checkpoint ... keep best(...)`.\n").toString();
    }

    private static String settings(List<Spec> specs) {
        StringBuilder sb = new StringBuilder("| setting | form | value | meaning |\n|---|---|---|---|\n");
        for (Spec s : specs) {
            SettingSpec st = (SettingSpec) s;
            sb.append("| `").append(st.name()).append("` | ").append(form(st)).append(" | ").append(value(st)).append(" | ")
              .append(st.doc().replace("|", "\\|")).append(" |\n");
        }
        sb.append('\n');
        for (Spec s : specs) {
            if (!s.args().isEmpty()) {
                sb.append("`").append(s.signature()).append("`:\n\n");
                args(sb, s.args());
            }
        }
        return sb.toString();
    }

    private static String form(SettingSpec s) {
        return switch (s.form()) {
            case VALUE -> "`" + s.name() + " value`";
            case COMPONENT -> "`" + s.name() + " name` or `" + s.name() + " name(args)`";
            case LIST -> "`" + s.name() + " a, b, ...`";
            case SOURCE -> "`" + s.name() + " source(...)`";
            case SOURCE_OR_FRACTION -> "`" + s.name() + " source(...)` or `" + s.name() + " 10%`";
            case SPLIT -> "`split train 70%, validation 15%, test 15%`";
            case CHECKPOINT -> "`checkpoint \"dir\" every N, keep best(metric)`";
            case FROM -> "`" + s.name() + " " + SettingSpec.FROM + " \"file\"`";
            case ARGS -> "`" + s.name() + "(args)`";
            case FLAG -> "`" + s.name() + "`, `" + s.name() + "(args)` or `" + s.name() + " false`";
            case SWEEP -> "`sweep setting value, value, ...`";
        };
    }

    private static String value(SettingSpec s) {
        if (s.form() == SettingSpec.Form.COMPONENT) return "a " + s.valueCategory().name().toLowerCase(Locale.ROOT);
        if (s.value() == null) return "";
        String t = type(s.value());
        String allowed = allowed(s.value());
        return t + (allowed.equals("any") || allowed.equals("one of these names") ? "" : ", " + allowed);
    }
}
