package dev.ann.codegen;

import com.squareup.javapoet.ClassName;

/** The ND4J classes generated code refers to; the compiler itself never loads ND4J. */
final class Nd4jTypes {
    private Nd4jTypes() {}

    private static final String OPS = "org.nd4j.linalg.api.ops.impl.";

    static final ClassName INDARRAY = ClassName.get("org.nd4j.linalg.api.ndarray", "INDArray");
    static final ClassName ND4J = ClassName.get("org.nd4j.linalg.factory", "Nd4j");
    static final ClassName DATA_TYPE = ClassName.get("org.nd4j.linalg.api.buffer", "DataType");
    static final ClassName CUSTOM_OP = ClassName.get("org.nd4j.linalg.api.ops", "DynamicCustomOp");
    static final ClassName INDEX = ClassName.get("org.nd4j.linalg.indexing", "NDArrayIndex");
    static final ClassName TRANSFORMS = ClassName.get("org.nd4j.linalg.ops.transforms", "Transforms");

    static ClassName scalar(String name) { return ClassName.get(OPS + "scalar", name); }
    static ClassName strict(String name) { return ClassName.get(OPS + "transforms.strict", name); }
    static ClassName same(String name) { return ClassName.get(OPS + "transforms.same", name); }
    static ClassName custom(String name) { return ClassName.get(OPS + "transforms.custom", name); }
    static ClassName pairwise(String name) { return ClassName.get(OPS + "transforms.pairwise.arithmetic", name); }
    static ClassName floating(String name) { return ClassName.get(OPS + "transforms.floating", name); }
    static ClassName broadcast(String name) { return ClassName.get(OPS + "broadcast", name); }
    static ClassName updater(String name) { return ClassName.get(OPS + "updaters", name); }

    static final ClassName VARIANCE = ClassName.get(OPS + "summarystats", "Variance");
    static final ClassName BERNOULLI = ClassName.get("org.nd4j.linalg.api.ops.random.impl", "BernoulliDistribution");
}
