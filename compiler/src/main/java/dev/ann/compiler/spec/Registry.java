package dev.ann.compiler.spec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Every declaration the language knows, by category and name. */
public final class Registry {
    private final Map<Category, Map<String, Spec>> specs = new LinkedHashMap<>();
    private final Map<String, LayerSpec> ops = new LinkedHashMap<>();

    public Registry(List<? extends Spec> all) {
        for (Spec s : all) {
            specs.computeIfAbsent(s.category(), c -> new LinkedHashMap<>()).put(s.name(), s);
            if (s instanceof LayerSpec l) ops.put(l.name(), l);
        }
        ops.put(Structure.CONCAT.name(), Structure.CONCAT);
        ops.put(Structure.ADD.name(), Structure.ADD);
    }

    private static final Registry STANDARD = build();

    /** The language v1: every layer, activation, loss, optimiser, schedule, metric, source and setting. */
    public static Registry standard() {
        return STANDARD;
    }

    private static Registry build() {
        List<Spec> all = new ArrayList<>();
        all.addAll(Layers.all());
        all.addAll(Activations.all());
        all.addAll(Components.all());
        all.addAll(Settings.dataset());
        all.addAll(Settings.train(Category.TRAIN_SETTING));
        all.addAll(Settings.profile());
        return new Registry(all);
    }

    /** What is wrong with a cluster address (the {@code cluster} setting, {@code --cluster}), or empty when Spark can take it. */
    public Optional<String> clusterProblem(String address) {
        return Optional.ofNullable(Settings.clusterProblem(address));
    }

    /** The most combinations a profile's sweep lines may make (each is checked, and trained, on its own). */
    public static final int MAX_SWEEP = 256;

    /** Why a profile setting cannot be swept ({@code sweep NAME ...}), or empty when it can. */
    public Optional<String> whyNotSwept(String setting) {
        return Optional.ofNullable(Settings.NOT_SWEPT.get(setting));
    }

    /** The profile settings a {@code sweep} line can vary. */
    public List<SettingSpec> sweepable() {
        return all(Category.PROFILE_SETTING).stream().filter(s -> !Settings.NOT_SWEPT.containsKey(s.name()))
                .map(SettingSpec.class::cast).toList();
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

    /** A layer kind or an activation (both may be layer statements). */
    public Optional<LayerSpec> layer(String name) {
        Spec s = specs.getOrDefault(Category.LAYER, Map.of()).get(name);
        if (s == null) s = specs.getOrDefault(Category.ACTIVATION, Map.of()).get(name);
        return Optional.ofNullable((LayerSpec) s);
    }

    /** The declaration of any op kind of a Plan: layers, activations, {@code concat} and {@code add}. */
    public Optional<LayerSpec> op(String kind) {
        return Optional.ofNullable(ops.get(kind));
    }

    /** Names a metric may be watched by: each metric and its {@code val_} form. */
    public List<String> monitors() {
        List<String> out = new ArrayList<>();
        for (Spec m : all(Category.METRIC)) {
            out.add(m.name());
            out.add("val_" + m.name());
        }
        return out;
    }

    /** The metric behind a monitor name ({@code val_accuracy} → accuracy). */
    public Optional<ComponentSpec> metric(String monitor) {
        String base = monitor.startsWith("val_") ? monitor.substring(4) : monitor;
        return find(Category.METRIC, base).map(ComponentSpec.class::cast);
    }
}
