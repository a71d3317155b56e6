package dev.ann.compiler.check;

import java.util.LinkedHashMap;
import java.util.Map;

/** The block parameters visible in a block body, with their bound values (Unknown when not yet bound). */
final class Scope {
    static final Scope GLOBAL = new Scope(Map.of());

    record Binding(Val value, Index.Key key, String type) {}

    private final Map<String, Binding> params;

    Scope(Map<String, Binding> params) {
        this.params = new LinkedHashMap<>(params);
    }

    Binding get(String name) {
        return params.get(name);
    }

    java.util.Set<String> names() {
        return params.keySet();
    }
}
