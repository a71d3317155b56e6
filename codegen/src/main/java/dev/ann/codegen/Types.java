package dev.ann.codegen;

import com.squareup.javapoet.ClassName;
import com.squareup.javapoet.CodeBlock;
import java.util.HashMap;
import java.util.Map;

/**
 * Code written as text: {@code $list:T}, {@code $nd4j:T}... name the types it
 * uses, so that JavaPoet imports exactly those.
 */
final class Types {
    private Types() {}

    private static final Map<String, Object> TYPES = new HashMap<>();

    static {
        put("list", java.util.List.class);
        put("arraylist", java.util.ArrayList.class);
        put("map", java.util.Map.class);
        put("hashmap", java.util.HashMap.class);
        put("linkedhashmap", java.util.LinkedHashMap.class);
        put("treeset", java.util.TreeSet.class);
        put("arrays", java.util.Arrays.class);
        put("random", java.util.Random.class);
        put("locale", java.util.Locale.class);
        put("path", java.nio.file.Path.class);
        put("files", java.nio.file.Files.class);
        put("copy", java.nio.file.StandardCopyOption.class);
        put("nosuchfile", java.nio.file.NoSuchFileException.class);
        put("utf8", java.nio.charset.StandardCharsets.class);
        put("ioexception", java.io.IOException.class);
        put("uncheckedio", java.io.UncheckedIOException.class);
        put("reader", java.io.BufferedReader.class);
        put("datain", java.io.DataInputStream.class);
        put("instream", java.io.InputStream.class);
        put("bufin", java.io.BufferedInputStream.class);
        put("gzip", java.util.zip.GZIPInputStream.class);
        put("outstream", java.io.OutputStream.class);
        put("bufout", java.io.BufferedOutputStream.class);
        put("bytebuffer", java.nio.ByteBuffer.class);
        put("byteorder", java.nio.ByteOrder.class);
        put("printstream", java.io.PrintStream.class);
        put("nd4j", Nd4jTypes.ND4J);
        put("indarray", Nd4jTypes.INDARRAY);
        put("datatype", Nd4jTypes.DATA_TYPE);
    }

    private static void put(String name, Class<?> c) {
        TYPES.put(name, ClassName.get(c));
    }

    private static void put(String name, ClassName c) {
        TYPES.put(name, c);
    }

    /** Code from text with named type references. */
    static CodeBlock code(String text) {
        return CodeBlock.builder().addNamed(text, TYPES).build();
    }

    /** Code from text with named type references and extra named arguments. */
    static CodeBlock code(String text, Map<String, ?> args) {
        Map<String, Object> all = new HashMap<>(TYPES);
        all.putAll(args);
        return CodeBlock.builder().addNamed(text, all).build();
    }
}
