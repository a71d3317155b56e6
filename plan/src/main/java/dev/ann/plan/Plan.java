package dev.ann.plan;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The execution plan: everything a backend needs to train one train block,
 * with a profile applied, and nothing that ties it to a backend. Serialisable
 * to JSON ({@code ann plan --json}) and back.
 *
 * @param formatVersion bumped when the JSON layout changes
 * @param file          the .ann file the plan was made from
 * @param train         the train block's name
 * @param network       the network's name
 * @param profile       the applied profile's name, or null
 * @param task          what the network learns
 * @param inputShape    per-sample input shape (after a profile's resize)
 * @param outputShape   per-sample output shape
 * @param ops           the forward pass, topologically ordered; ops.get(0) is the input
 * @param params        every parameter tensor, in op order
 * @param loss          the loss
 * @param optimizer     the optimiser with every hyper-parameter resolved
 * @param schedule      the learning-rate schedule
 * @param metrics       metric names, e.g. accuracy, loss, f1
 * @param data          the data pipeline
 * @param loop          batch size, epochs, early stopping, checkpoints, repeats, device
 * @param seed          the one seed all randomness derives from
 * @param architectureHash stable hash of ops and params (see {@link #hashArchitecture})
 */
public record Plan(
        int formatVersion,
        String file,
        String train,
        String network,
        String profile,
        Task task,
        Shape inputShape,
        Shape outputShape,
        List<Op> ops,
        List<Param> params,
        Component loss,
        Component optimizer,
        Component schedule,
        List<String> metrics,
        DataPipeline data,
        Loop loop,
        long seed,
        String architectureHash) {

    public static final int FORMAT_VERSION = 1;

    public Plan {
        ops = List.copyOf(ops);
        params = List.copyOf(params);
        metrics = List.copyOf(metrics);
    }

    /**
     * Below this many forward FLOPs per training batch one OpenMP thread
     * trains faster than several: the ops are too small for the other threads
     * to pay for waking up (measured on 2 cores: docs/training.md, "Threads").
     */
    public static final long ONE_THREAD_BELOW_FLOPS_PER_BATCH = 250_000_000L;

    /** The fewest rows of the network's embeddings (the token ids it can look up), or -1 when it has none. */
    public int embeddingRows() {
        int rows = -1;
        for (Op op : ops) {
            if (op.kind().equals("embedding")) {
                int v = op.args().getInt("vocabulary");
                rows = rows < 0 ? v : Math.min(rows, v);
            }
        }
        return rows;
    }

    /**
     * Whether this network trains faster on one CPU thread; ann train and the generated trainer then use one.
     * A network that {@linkplain #trainsInHalves trains in halves} does: each half runs on one thread.
     */
    public boolean trainsBestOnOneThread() {
        return trainsInHalves() || forwardFlopsPerBatch() < ONE_THREAD_BELOW_FLOPS_PER_BATCH;
    }

    /** The FLOPs of the network's forward pass over one training batch. */
    private long forwardFlopsPerBatch() {
        long perSample = 0;
        for (Op op : ops) perSample += op.flops();
        return perSample * (long) loop.batch();
    }

    /**
     * Whether each training batch is split in two halves that train at once on two threads, each through
     * its own copy of the layers (kernels' BatchHalves): networks with a recurrent or attention layer, whose
     * ND4J ops keep one core busy whatever their thread count, with batches large enough for a second thread
     * to pay ({@link #ONE_THREAD_BELOW_FLOPS_PER_BATCH}; ann train, 2 cores: the transformer example
     * 371-381 -> 457-485 samples/s, an LSTM(64) over reuters' 200 words 392-422 -> 469-509, while co2's
     * LSTM(32), at 14 MFLOP a batch forward, did not gain: 2,383-2,709 against 2,410-2,683). No batchnorm (its statistics are the whole batch's), nor a
     * dilated convolution (oneDNN has none for floats: kernels run it with ND4J's platform helpers switched
     * off, a setting of the whole process that would reach the other half's ops too). Decided from the
     * network alone, never from the machine, so that a seed trains to the same results on any machine; ann
     * train and the generated trainer both follow it.
     */
    public boolean trainsInHalves() {
        boolean sequence = false;
        for (Op op : ops) {
            if (op.layer() instanceof Kind.BatchNorm) return false;
            if (op.layer() instanceof Kind.Conv1d c && c.dilation() > 1) return false;
            if (op.layer() instanceof Kind.Conv2d c && (c.dilation().h() > 1 || c.dilation().w() > 1)) return false;
            sequence |= op.layer() instanceof Kind.Recurrent || op.layer() instanceof Kind.Attention;
        }
        return sequence && loop.batch() >= 2 && forwardFlopsPerBatch() >= ONE_THREAD_BELOW_FLOPS_PER_BATCH;
    }

    /** Classification (one label among classes), binary (one sigmoid output) or regression. */
    public enum Task { CLASSIFICATION, BINARY, REGRESSION }

    /**
     * A loss, optimiser or schedule: its declaration's name and resolved arguments.
     * For a loss, {@code cross_entropy} carries {@code from_logits}: true when the
     * network has no final softmax; when it has one, the runtime fuses the two.
     */
    public record Component(String kind, Args args) {}

    /**
     * Training loop settings.
     *
     * @param earlyStopping null when not declared
     * @param checkpoint    null when not declared
     * @param repeat        train under this many seeds (seed, seed+1, ...); 1 by default
     * @param device        cpu, gpu or auto
     * @param initFrom      the checkpoint whose parameters (and batchnorm statistics) training starts from,
     *                      resolved against the .ann file's folder ({@code init from "file"}); null: the initialisers
     * @param cluster       the {@code cluster} setting: a Spark address to train on ({@code ann train --cluster}), or null
     * @param initFromAt    where {@code init from} is written (for messages about the checkpoint); null when unknown
     */
    public record Loop(int batch, int epochs, EarlyStopping earlyStopping, Checkpoint checkpoint,
                       int repeat, String device, String initFrom, String cluster, SourcePos initFromAt) {
        /** A loop trained here from the initialisers (no init from, no cluster setting). */
        public Loop(int batch, int epochs, EarlyStopping earlyStopping, Checkpoint checkpoint, int repeat, String device) {
            this(batch, epochs, earlyStopping, checkpoint, repeat, device, null, null, null);
        }

        /** A loop whose {@code init from} position is not known (tests, tools that build plans by hand). */
        public Loop(int batch, int epochs, EarlyStopping earlyStopping, Checkpoint checkpoint, int repeat, String device,
                    String initFrom, String cluster) {
            this(batch, epochs, earlyStopping, checkpoint, repeat, device, initFrom, cluster, null);
        }

        /** Where {@code init from} is written, as "file:line:col", or the checkpoint's path when that is not known. */
        public String initFromWhere() {
            return initFromAt != null ? initFromAt + ": init from " + initFrom : "init from " + initFrom;
        }
    }

    /** @param mode min or max, from the monitored metric */
    public record EarlyStopping(String monitor, int patience, double minDelta, String mode) {}

    /**
     * @param dir      folder, resolved against the .ann file's folder
     * @param every    write one every N epochs
     * @param keepBest metric whose best value is kept as best.ckpt, or null
     * @param mode     min or max for keepBest
     */
    public record Checkpoint(String dir, int every, String keepBest, String mode) {}

    /** Stable hash of the architecture: ops (kind, args, inputs, shapes) and params. */
    public static String hashArchitecture(List<Op> ops, List<Param> params) {
        StringBuilder sb = new StringBuilder();
        for (Op op : ops) {
            sb.append(op.kind()).append('|').append(new java.util.TreeMap<>(op.args().values()))
              .append('|').append(op.inputs()).append('|').append(op.outShape()).append('\n');
        }
        for (Param p : params) {
            sb.append(p.name()).append('|').append(p.shape()).append('|').append(p.trainable()).append('\n');
        }
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(sb.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final Gson GSON = new GsonBuilder()
            .setPrettyPrinting()
            .serializeNulls()
            .disableHtmlEscaping()
            .registerTypeAdapter(Args.class, new ArgsJson())
            .registerTypeAdapter(Shape.class, new ShapeJson())
            .create();

    public String toJson() {
        return GSON.toJson(this);
    }

    public static Plan fromJson(String json) {
        return GSON.fromJson(json, Plan.class);
    }

    /** A shape serialises as a plain array, {@code [1, 28, 28]}. */
    private static final class ShapeJson implements com.google.gson.JsonSerializer<Shape>,
            com.google.gson.JsonDeserializer<Shape> {
        @Override
        public com.google.gson.JsonElement serialize(Shape src, java.lang.reflect.Type t,
                                                     com.google.gson.JsonSerializationContext ctx) {
            com.google.gson.JsonArray a = new com.google.gson.JsonArray();
            for (int d : src.dims()) a.add(d);
            return a;
        }

        @Override
        public Shape deserialize(com.google.gson.JsonElement json, java.lang.reflect.Type t,
                                 com.google.gson.JsonDeserializationContext ctx) {
            com.google.gson.JsonArray a = json.isJsonObject() ? json.getAsJsonObject().getAsJsonArray("dims")
                    : json.getAsJsonArray();
            List<Integer> dims = new java.util.ArrayList<>();
            for (var e : a) dims.add(e.getAsInt());
            return new Shape(dims);
        }
    }

    /** Args serialise as a plain JSON object; numbers written without a point or exponent read back as Integer or Long, others as Double. */
    private static final class ArgsJson implements com.google.gson.JsonSerializer<Args>,
            com.google.gson.JsonDeserializer<Args> {
        @Override
        public com.google.gson.JsonElement serialize(Args src, java.lang.reflect.Type t,
                                                     com.google.gson.JsonSerializationContext ctx) {
            return ctx.serialize(src.values());
        }

        @Override
        public Args deserialize(com.google.gson.JsonElement json, java.lang.reflect.Type t,
                                com.google.gson.JsonDeserializationContext ctx) {
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            for (var e : json.getAsJsonObject().entrySet()) m.put(e.getKey(), plain(e.getValue()));
            return new Args(m);
        }

        private static Object plain(com.google.gson.JsonElement e) {
            if (e == null || e.isJsonNull()) return null;
            if (e.isJsonArray()) {
                List<Object> l = new java.util.ArrayList<>();
                for (var x : e.getAsJsonArray()) l.add(plain(x));
                return l;
            }
            if (e.isJsonObject()) {
                Map<String, Object> m = new java.util.LinkedHashMap<>();
                for (var x : e.getAsJsonObject().entrySet()) m.put(x.getKey(), plain(x.getValue()));
                return m;
            }
            var p = e.getAsJsonPrimitive();
            if (p.isBoolean()) return p.getAsBoolean();
            if (p.isString()) return p.getAsString();
            java.math.BigDecimal d = p.getAsBigDecimal();
            String text = p.getAsString();
            if (text.contains(".") || text.contains("e") || text.contains("E")) return d.doubleValue();  // 0.0 stays a Double
            try {
                long l = d.longValueExact();
                return (l == (int) l) ? (Object) (int) l : (Object) l;
            } catch (ArithmeticException notIntegral) {
                return d.doubleValue();
            }
        }
    }
}
