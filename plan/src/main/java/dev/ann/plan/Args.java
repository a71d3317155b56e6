package dev.ann.plan;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Resolved arguments of an op, loss, optimiser, schedule or data source: every
 * argument present, defaults filled in, values plain JSON data (Integer or
 * Double, String, Boolean, List). Readers use the typed getters, which accept
 * any Number so that a Plan read back from JSON reads the same.
 */
public record Args(Map<String, Object> values) {

    public Args {
        values = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    public static Args empty() {
        return new Args(Map.of());
    }

    public boolean has(String name) {
        return values.containsKey(name) && values.get(name) != null;
    }

    public Object get(String name) {
        return values.get(name);
    }

    public int getInt(String name) {
        return ((Number) require(name)).intValue();
    }

    public long getLong(String name) {
        return ((Number) require(name)).longValue();
    }

    public double getDouble(String name) {
        return ((Number) require(name)).doubleValue();
    }

    public boolean getBool(String name) {
        return (Boolean) require(name);
    }

    public String getString(String name) {
        return (String) require(name);
    }

    /** A list of integers (a shape, a kernel size given as a pair...). */
    public List<Integer> getInts(String name) {
        Object v = require(name);
        List<Integer> out = new ArrayList<>();
        if (v instanceof Number n) {
            out.add(n.intValue());
        } else {
            for (Object o : (List<?>) v) out.add(((Number) o).intValue());
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    public List<String> getStrings(String name) {
        return (List<String>) require(name);
    }

    private Object require(String name) {
        Object v = values.get(name);
        if (v == null) throw new IllegalArgumentException("no argument '" + name + "' in " + values);
        return v;
    }
}
