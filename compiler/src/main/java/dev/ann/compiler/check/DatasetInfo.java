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

    DatasetInfo(String name) {
        this.name = name;
    }

    boolean hasValidation() {
        return validationSource || validation > 0 || (split != null && split.getOrDefault("validation", 0.0) > 0);
    }

    /**
     * The size of the token id space when the dataset tokenises text ({@code vocabulary N}: ids 0..N-1,
     * 0 padding, 1 the unknown word), else null. An embedding trained on this dataset takes it as its
     * vocabulary.
     */
    Integer vocabulary() {
        return vocabulary;
    }

    /** Set by the dataset checker for a dataset that tokenises text; see {@link #vocabulary()}. */
    Integer vocabulary;

    boolean isImage() {
        return sampleShape != null && sampleShape.rank() == 3;
    }
}
