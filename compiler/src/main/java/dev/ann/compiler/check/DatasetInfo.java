package dev.ann.compiler.check;

import dev.ann.plan.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** What the checker learnt about a dataset: its sources, sample shape and labels. Unknown parts are null or 0. */
final class DatasetInfo {
    final String name;
    final List<SettingsReader.Source> sources = new ArrayList<>();
    Shape sampleShape;
    /** classes or targets; null when unknown */
    String labelKind;
    List<String> classNames = List.of();
    int numClasses;
    int targetWidth;
    Map<String, Double> split;
    double validation;
    boolean validationSource;
    double scale = 1;
    String normalize = "none";
    boolean shuffle = true;
    Integer shuffleSeed;
    /** class labels written as names in CSV files (not numbers), as found */
    /** label values found in the files, each with where it is first */
    final java.util.Map<String, Where> labelNames = new java.util.TreeMap<>();

    /** A data row of a file (1-based, header not counted). */
    record Where(String file, int row) {}
    /** where the label kind comes from, for messages: "csv label: 4", "classes" */
    String labelOrigin = "";

    /** the {@code tokens} line read (kind, vocabulary, length, lowercase, bag), or null */
    Map<String, Object> tokens;
    /** a tokens line is written (read or not: a wrong one is reported where it is) */
    boolean tokensLine;
    /** the {@code window} line read (size, horizon), or null */
    Map<String, Object> window;

    DatasetInfo(String name) {
        this.name = name;
    }

    boolean hasValidation() {
        return validationSource || validation > 0 || (split != null && split.getOrDefault("validation", 0.0) > 0);
    }

    /**
     * The size of the token id space when the dataset's samples are token ids (the {@code tokens} line's
     * {@code vocabulary N}: ids 0..N-1, 0 padding, 1 the unknown word), else null (no tokens line, or a bag of
     * words). An embedding trained on this dataset takes it as its vocabulary.
     */
    Integer vocabulary() {
        return tokens != null && !Boolean.TRUE.equals(tokens.get("bag")) && tokens.get("vocabulary") instanceof Integer v ? v : null;
    }

    boolean isImage() {
        return sampleShape != null && sampleShape.rank() == 3;
    }
}
