package dev.ann.compiler.check;

import dev.ann.compiler.ast.Call;
import java.util.List;
import java.util.stream.Collectors;

/** A value computed at compile time from an expression. */
sealed interface Val {

    /** Shown in messages the way .ann source writes it. */
    String show();

    /** Shown with its type: {@code "abc" (string)}. */
    default String describe() {
        return show() + " (" + typeName() + ")";
    }

    String typeName();

    record Int(long v) implements Val {
        public String show() {
            return Long.toString(v);
        }

        public String typeName() {
            return "int";
        }
    }

    record Flt(double v, boolean percent) implements Val {
        public String show() {
            if (percent) return dev.ann.compiler.spec.Values.show(v * 100).replaceAll("\\.0$", "") + "%";
            return dev.ann.compiler.spec.Values.show(v);
        }

        public String typeName() {
            return percent ? "percentage" : "float";
        }
    }

    record Str(String v) implements Val {
        public String show() {
            return "\"" + v + "\"";
        }

        public String typeName() {
            return "string";
        }
    }

    record Bool(boolean v) implements Val {
        public String show() {
            return Boolean.toString(v);
        }

        public String typeName() {
            return "bool";
        }
    }

    record ListV(List<Val> items) implements Val {
        public String show() {
            return items.stream().map(Val::show).collect(Collectors.joining(", ", "[", "]"));
        }

        public String typeName() {
            return items.stream().allMatch(i -> i instanceof Int) ? "shape" : "list";
        }
    }

    record RangeV(long from, long to) implements Val {
        public String show() {
            return from + ".." + to;
        }

        public String typeName() {
            return "range";
        }
    }

    /** A bare name that is no const or parameter: an enum-like value ({@code same}) or an unknown name. */
    record NameV(String name) implements Val {
        public String show() {
            return name;
        }

        public String typeName() {
            return "name";
        }
    }

    /** A call written as a value: {@code normal(0.01)}, {@code best(val_loss)}. */
    record CallV(Call call) implements Val {
        public String show() {
            return call.callee().text() + "(...)";
        }

        public String typeName() {
            return "call";
        }
    }

    /** Not known: an error was reported already, or it depends on a block parameter not yet bound. */
    record Unknown() implements Val {
        public String show() {
            return "?";
        }

        public String typeName() {
            return "unknown";
        }
    }

    Val UNKNOWN = new Unknown();
}
