package dev.ann.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.ann.compiler.NetworkLayers;
import dev.ann.plan.Args;
import dev.ann.plan.DataPipeline;
import dev.ann.plan.Op;
import dev.ann.plan.Plan;
import dev.ann.plan.Param;
import dev.ann.plan.Shape;
import dev.ann.compiler.spec.Values;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** Renders a Plan as a table in the manner of Keras' {@code model.summary()}. */
public final class PlanTable {
    private PlanTable() {}

    public static String render(Plan plan) {
        StringBuilder sb = new StringBuilder();
        sb.append("train ").append(plan.train()).append(": network ").append(plan.network())
          .append(" on ").append(plan.data().dataset());
        if (plan.profile() != null) sb.append(", profile ").append(plan.profile());
        sb.append('\n').append('\n');

        layers(sb, plan.ops(), plan.params());
        sb.append('\n');
        sb.append("task       ").append(plan.task().name().toLowerCase(Locale.ROOT)).append(", input ")
          .append(plan.inputShape()).append(" → output ").append(plan.outputShape()).append('\n');
        sb.append("loss       ").append(component(plan.loss())).append('\n');
        sb.append("optimizer  ").append(component(plan.optimizer())).append('\n');
        sb.append("schedule   ").append(component(plan.schedule())).append('\n');
        Plan.Loop loop = plan.loop();
        sb.append("loop       batch ").append(loop.batch()).append(", epochs ").append(loop.epochs())
          .append(", seed ").append(plan.seed()).append(", device ").append(loop.device());
        if (loop.repeat() > 1) sb.append(", repeat ").append(loop.repeat());
        sb.append('\n');
        if (loop.earlyStopping() != null) {
            Plan.EarlyStopping es = loop.earlyStopping();
            sb.append("early stop ").append(es.monitor()).append(" (").append(es.mode()).append("), patience ")
              .append(es.patience()).append('\n');
        }
        if (loop.checkpoint() != null) {
            Plan.Checkpoint ck = loop.checkpoint();
            sb.append("checkpoint ").append(ck.dir()).append(" every ").append(ck.every());
            if (ck.keepBest() != null) sb.append(", keep best ").append(ck.keepBest());
            sb.append('\n');
        }
        sb.append("metrics    ").append(String.join(", ", plan.metrics())).append('\n');
        DataPipeline d = plan.data();
        sb.append("data       ").append(d.sources().stream().map(s -> s.role() + " " + s.kind())
                .collect(Collectors.joining(", "))).append("; sample ").append(d.sampleShape());
        if (d.labels() != null) {
            sb.append("; ").append(d.labels().numClasses() > 0 ? d.labels().numClasses() + " classes"
                    : d.labels().targetWidth() + " target" + (d.labels().targetWidth() == 1 ? "" : "s"));
        }
        if (d.subset() < 1) sb.append("; subset ").append(percent(d.subset()));
        if (d.resize() != null) sb.append("; resize ").append(d.resize());
        sb.append('\n');
        sb.append("hash       ").append(plan.architectureHash());
        return sb.toString();
    }

    /** One network on its own: the layer table and its totals. */
    public static String render(NetworkLayers n) {
        StringBuilder sb = new StringBuilder();
        sb.append("network ").append(n.network()).append(": input ").append(n.input()).append(" → output ")
          .append(n.output()).append('\n').append('\n');
        layers(sb, n.ops(), n.params());
        return sb.toString().stripTrailing();
    }

    /** The same as {@link #render(NetworkLayers)}, as a JSON object. */
    public static JsonObject json(NetworkLayers n) {
        JsonObject o = new JsonObject();
        o.addProperty("network", n.network());
        o.addProperty("file", n.file());
        o.add("input", shape(n.input()));
        o.add("output", shape(n.output()));
        JsonArray layers = new JsonArray();
        for (Op op : n.ops()) {
            JsonObject l = new JsonObject();
            l.addProperty("name", op.name());
            l.addProperty("layer", layerLabel(op));
            JsonArray inputs = new JsonArray();
            op.inputs().forEach(inputs::add);
            l.add("inputs", inputs);
            l.add("outputShape", shape(op.outShape()));
            l.addProperty("params", op.paramCount());
            l.addProperty("flops", op.flops());
            layers.add(l);
        }
        o.add("layers", layers);
        o.addProperty("trainableParams", trainable(n.params()));
        o.addProperty("nonTrainableParams", frozen(n.params()));
        o.addProperty("flops", flops(n.ops()));
        return o;
    }

    private static JsonArray shape(Shape s) {
        JsonArray a = new JsonArray();
        s.dims().forEach(a::add);
        return a;
    }

    private static long trainable(List<Param> params) {
        return params.stream().filter(Param::trainable).mapToLong(p -> p.shape().size()).sum();
    }

    private static long frozen(List<Param> params) {
        return params.stream().filter(p -> !p.trainable()).mapToLong(p -> p.shape().size()).sum();
    }

    private static long flops(List<Op> ops) {
        return ops.stream().mapToLong(Op::flops).sum();
    }

    /** The layer table in the manner of Keras' summary, then the parameter and FLOP totals. */
    private static void layers(StringBuilder sb, List<Op> ops, List<Param> params) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"name", "layer", "output shape", "params", "FLOPs"});
        for (Op op : ops) {
            rows.add(new String[] {op.name(), layerLabel(op), op.outShape().toString(),
                group(op.paramCount()), group(op.flops())});
        }
        int[] w = new int[5];
        for (String[] r : rows) for (int i = 0; i < 5; i++) w[i] = Math.max(w[i], r[i].length());
        String rule = "─".repeat(w[0] + w[1] + w[2] + w[3] + w[4] + 8);
        for (int r = 0; r < rows.size(); r++) {
            String[] row = rows.get(r);
            sb.append(String.format(Locale.ROOT, "%-" + w[0] + "s  %-" + w[1] + "s  %-" + w[2] + "s  %" + w[3] + "s  %" + w[4] + "s",
                    (Object[]) row).stripTrailing()).append('\n');
            if (r == 0) sb.append(rule).append('\n');
        }
        sb.append(rule).append('\n');
        long trainable = trainable(params);
        long frozen = frozen(params);
        long flops = flops(ops);
        sb.append("parameters: ").append(group(trainable)).append(" trainable (").append(bytes(trainable * 4)).append(" as float32)");
        if (frozen > 0) sb.append(", ").append(group(frozen)).append(" non-trainable");
        sb.append('\n');
        sb.append("FLOPs per sample: ").append(group(flops)).append(" forward, about ").append(group(3 * flops)).append(" to train\n");
    }

    private static String layerLabel(Op op) {
        return op.kind();
    }

    private static String component(Plan.Component c) {
        if (c == null) return "none";
        Args a = c.args();
        if (a.values().isEmpty()) return c.kind();
        return c.kind() + "(" + a.values().entrySet().stream()
                .map(e -> e.getKey() + ": " + Values.show(e.getValue())).collect(Collectors.joining(", ")) + ")";
    }

    static String group(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    private static String percent(double f) {
        return String.format(Locale.ROOT, "%.0f%%", f * 100);
    }

    private static String bytes(long b) {
        if (b < 1024) return b + " B";
        if (b < 1024 * 1024) return String.format(Locale.ROOT, "%.1f KiB", b / 1024.0);
        return String.format(Locale.ROOT, "%.1f MiB", b / (1024.0 * 1024));
    }
}
