package dev.ann.compiler.check;

import dev.ann.compiler.ast.Decl;
import dev.ann.plan.Plan;
import dev.ann.plan.Shape;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A train block with a profile applied, as checked: everything the plan is made from. */
final class TrainConfig {
    final Program.Global<Decl.Train> train;
    final Program.Global<Decl.Profile> profile;
    /** the train block's settings with the profile's on top */
    final Map<String, SettingsReader.Read> settings = new LinkedHashMap<>();
    Program.Global<Decl.Network> network;
    DatasetInfo data;
    Graph graph;
    Plan.Task task;
    Shape sampleShape;
    List<Integer> resize;
    double subset = 1;

    TrainConfig(Program.Global<Decl.Train> train, Program.Global<Decl.Profile> profile) {
        this.train = train;
        this.profile = profile;
    }

    Object value(String name) {
        SettingsReader.Read r = settings.get(name);
        return r == null ? null : r.value();
    }

    String name() {
        return train.decl().name().text();
    }
}
