package dev.ann.compiler.spec;

import java.util.List;

/** Small builder for {@link ArgSpec}s, so that declarations read like their signature. */
final class ArgSpecs {
    private ArgSpecs() {}

    static B arg(String name, Type type) {
        return new B(name, type);
    }

    static final class B {
        private final String name;
        private final Type type;
        private Object def;
        private boolean required = true;
        private Double min;
        private boolean minInclusive = true;
        private Double max;
        private boolean maxInclusive = true;
        private List<String> choices = List.of();

        B(String name, Type type) {
            this.name = name;
            this.type = type;
        }

        /** Optional, with this default (null: optional without a default, e.g. pool stride = size). */
        B def(Object value) {
            def = value;
            required = false;
            return this;
        }

        B min(double v) {
            min = v;
            minInclusive = true;
            return this;
        }

        B above(double v) {
            min = v;
            minInclusive = false;
            return this;
        }

        B max(double v) {
            max = v;
            maxInclusive = true;
            return this;
        }

        B below(double v) {
            max = v;
            maxInclusive = false;
            return this;
        }

        B choices(String... c) {
            choices = List.of(c);
            return this;
        }

        ArgSpec doc(String doc) {
            return new ArgSpec(name, type, def, required, min, minInclusive, max, maxInclusive, choices, doc);
        }
    }
}
