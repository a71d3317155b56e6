package dev.ann.codegen;

import com.squareup.javapoet.CodeBlock;
import java.util.List;
import java.util.stream.Collectors;

/** Small pieces of generated code shared by the emitters. */
final class Code {
    private Code() {}

    /** A double as a Java literal that reads back as the same double. */
    static String lit(double v) {
        if (!Double.isFinite(v)) throw new IllegalArgumentException("not a finite number: " + v);
        return Double.toString(v);
    }

    static String longs(long... v) {
        StringBuilder sb = new StringBuilder();
        for (long x : v) sb.append(sb.length() == 0 ? "" : ", ").append(x);
        return sb.toString();
    }

    static String join(List<String> parts) {
        return parts.stream().collect(Collectors.joining(", "));
    }

    /**
     * One libnd4j custom op with preallocated outputs:
     * {@code Nd4j.exec(DynamicCustomOp.builder(name).addInputs(..).addOutputs(..)...build())}.
     */
    static CodeBlock customOp(String name, List<String> inputs, List<String> outputs, long[] iargs, double[] targs) {
        CodeBlock.Builder b = CodeBlock.builder();
        b.add("$T.exec($T.builder($S).addInputs($L)$Z.addOutputs($L)", Nd4jTypes.ND4J, Nd4jTypes.CUSTOM_OP, name,
                join(inputs), join(outputs));
        if (iargs != null && iargs.length > 0) b.add("$Z.addIntegerArguments($L)", longs(iargs));
        if (targs != null && targs.length > 0) {
            StringBuilder t = new StringBuilder();
            for (double d : targs) t.append(t.length() == 0 ? "" : ", ").append(lit(d));
            b.add("$Z.addFloatingPointArguments($L)", t);
        }
        b.add(".build());\n");
        return b.build();
    }
}
