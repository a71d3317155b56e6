package dev.ann.compiler.spec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Every declaration the language knows, by category and name. */
public final class Registry {
    private final Map<Category, Map<String, Spec>> specs = new LinkedHashMap<>();

    public Registry(List<? extends Spec> all) {
        for (Spec s : all) specs.computeIfAbsent(s.category(), c -> new LinkedHashMap<>()).put(s.name(), s);
    }

    public Optional<Spec> find(Category category, String name) {
        return Optional.ofNullable(specs.getOrDefault(category, Map.of()).get(name));
    }

    public List<Spec> all(Category category) {
        return new ArrayList<>(specs.getOrDefault(category, Map.of()).values());
    }

    public List<Spec> all() {
        List<Spec> out = new ArrayList<>();
        specs.values().forEach(m -> out.addAll(m.values()));
        return out;
    }
}
