package dev.ann.compiler.check;

import java.util.List;

/** The types a block parameter may declare. */
final class BlockTypes {
    private BlockTypes() {}

    static final List<String> NAMES = List.of("int", "float", "bool", "string", "shape");

    static boolean fits(String type, Val v) {
        if (type == null || v instanceof Val.Unknown) return true;
        return switch (type) {
            case "int" -> v instanceof Val.Int;
            case "float" -> v instanceof Val.Int || v instanceof Val.Flt;
            case "bool" -> v instanceof Val.Bool;
            case "string" -> v instanceof Val.Str;
            case "shape" -> v instanceof Val.ListV l && l.items().stream().allMatch(x -> x instanceof Val.Int);
            default -> true;
        };
    }

    static String describe(String type) {
        return switch (type) {
            case "int" -> "an int";
            default -> "a " + type;
        };
    }
}
