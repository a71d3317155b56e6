package dev.ann.codegen;

import com.squareup.javapoet.ClassName;

/** The ND4J classes generated code refers to; the generator itself never loads ND4J. */
final class Nd4jTypes {
    private Nd4jTypes() {}

    static final ClassName INDARRAY = ClassName.get("org.nd4j.linalg.api.ndarray", "INDArray");
    static final ClassName ND4J = ClassName.get("org.nd4j.linalg.factory", "Nd4j");
    static final ClassName DATA_TYPE = ClassName.get("org.nd4j.linalg.api.buffer", "DataType");
}
