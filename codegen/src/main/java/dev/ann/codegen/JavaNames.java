package dev.ann.codegen;

import java.util.HashSet;
import java.util.Set;
import javax.lang.model.SourceVersion;

/** Java identifiers made from .ann names: {@code dense_2} becomes {@code dense2}, each name used once. */
final class JavaNames {
    private final Set<String> taken = new HashSet<>();

    /** Reserves a name that generated code uses for something else. */
    void reserve(String name) {
        taken.add(name);
    }

    /** A fresh lower-camel identifier for an .ann name plus an optional suffix ({@code Weight}, {@code Grad}). */
    String field(String annName, String suffix) {
        String base = lowerCamel(annName) + suffix;
        String name = base;
        for (int i = 2; taken.contains(name) || !SourceVersion.isName(name); i++) name = base + "_" + i;
        taken.add(name);
        return name;
    }

    /** {@code dense_2} and {@code conv block.x} become {@code dense2} and {@code convBlockX}. */
    static String lowerCamel(String s) {
        StringBuilder out = new StringBuilder();
        boolean upper = false;
        for (char c : s.toCharArray()) {
            if (!Character.isLetterOrDigit(c)) {
                upper = out.length() > 0;
                continue;
            }
            out.append(upper ? Character.toUpperCase(c) : c);
            upper = false;
        }
        if (out.length() == 0 || !Character.isJavaIdentifierStart(out.charAt(0))) out.insert(0, 'v');
        out.setCharAt(0, Character.toLowerCase(out.charAt(0)));
        return out.toString();
    }

    /** The trainer class for a train block: {@code IrisNet} gives {@code IrisNetTrainer}, {@code fast} gives {@code FastTrainer}. */
    static String trainerClass(String train) {
        String camel = lowerCamel(train);
        return Character.toUpperCase(camel.charAt(0)) + camel.substring(1) + "Trainer";
    }
}
