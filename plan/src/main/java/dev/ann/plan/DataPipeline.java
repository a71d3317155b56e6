package dev.ann.plan;

import java.util.List;

/**
 * How samples are loaded and prepared, in order: load the sources, split,
 * subset (profile), resize (profile), scale, normalise (fitted on the training
 * split only), shuffle.
 *
 * @param dataset     the dataset declaration's name
 * @param sources     where samples come from, each with its role
 * @param sampleShape per-sample feature shape after resize
 * @param labels      what the targets are
 * @param split       fractions for train/validation/test when the data comes from one source; null otherwise
 * @param validation  fraction of train held out for validation when no validation source or split gives one; 0 for none
 * @param scale       multiply features by this (e.g. 1/255), or 1
 * @param normalize   none, standard or minmax
 * @param shuffle     shuffle the training samples every epoch
 * @param shuffleSeed seed for the shuffle and split (the train block's seed unless the dataset gives one)
 * @param subset      fraction of every split kept (profile {@code subset}), 1 for all
 * @param resize      image height and width after resize (profile {@code resize}), or null
 * @param text        how a text column becomes token ids (the dataset's {@code tokens} line), or null
 * @param window      windows over a time series (the dataset's {@code window} line), or null
 */
public record DataPipeline(
        String dataset,
        List<Source> sources,
        Shape sampleShape,
        Labels labels,
        Split split,
        double validation,
        double scale,
        String normalize,
        boolean shuffle,
        long shuffleSeed,
        double subset,
        List<Integer> resize,
        Text text,
        Window window) {

    public DataPipeline {
        sources = List.copyOf(sources);
    }

    /** The factor every feature is multiplied by first: {@code scale}, or 1 when the dataset gives none (0). */
    public float scaleFactor() {
        return (float) (scale == 0 ? 1.0 : scale);
    }

    /** {@code [height, width]} pictures are resized to, or null when the profile does not resize. */
    public int[] resizeTo() {
        return resize == null || resize.isEmpty() ? null : new int[] {resize.get(0), resize.get(1)};
    }

    private static final java.util.regex.Pattern URI = java.util.regex.Pattern.compile("(?s)[A-Za-z][A-Za-z0-9+.-]+://.*");

    /**
     * Whether a source's path is a URI with a scheme ({@code hdfs://namenode:8020/data/iris.csv}, {@code s3a://bucket/key},
     * {@code file:///data/iris.csv}) rather than a file name: the checker does not read it (it keeps it as written) and
     * the runtime opens it through an opener for its scheme (the cluster's Hadoop FileSystem). The rule, written once.
     */
    public static boolean isUri(String path) {
        return path != null && URI.matcher(path).matches();
    }

    /** A pipeline of tables or pictures (no text, no windows). */
    public DataPipeline(String dataset, List<Source> sources, Shape sampleShape, Labels labels, Split split, double validation,
                        double scale, String normalize, boolean shuffle, long shuffleSeed, double subset, List<Integer> resize) {
        this(dataset, sources, sampleShape, labels, split, validation, scale, normalize, shuffle, shuffleSeed, subset, resize, null, null);
    }

    /**
     * Text to token ids (kernels' Tokenizer), fitted on the training split only.
     *
     * @param tokens     {@code words} or {@code characters}
     * @param vocabulary the id space: ids 0..vocabulary-1 (0 padding, 1 unknown, then the most frequent training tokens)
     * @param length     ids per sample (truncated, or padded with 0 at the end): sample shape {@code [length]}
     * @param lowercase  lower-case the text first
     * @param bag        a bag of words instead: per sample {@code vocabulary} counts, sample shape {@code [vocabulary]}
     */
    public record Text(String tokens, int vocabulary, int length, boolean lowercase, boolean bag) {}

    /**
     * Windows over a series in time order (kernels' Windows): samples {@code [size, features]}, targets the
     * next {@code horizon} rows of the target columns; split by time, never shuffled across the split.
     * {@code relative}: every value of a sample less its column's value in the window's last row (the network
     * forecasts the change; prediction adds the last value back).
     */
    public record Window(int size, int horizon, boolean relative) {}

    /**
     * A data source.
     *
     * @param role {@code all} (to be split), {@code train}, {@code validation} or {@code test}
     * @param kind {@code csv}, {@code arff}, {@code idx} or {@code images}
     * @param args resolved arguments; paths are absolute, or URIs as written ({@link DataPipeline#isUri}). csv: path, header, features
     *             (list of column indices), label or target (list of column indices),
     *             delimiter, text (the text column, with a {@code tokens} line).
     *             arff: path, label (attribute name), features (attribute names; all
     *             but the label and text when absent), text (a string attribute's name).
     *             idx: images, labels. images: folder, size.
     */
    public record Source(String role, String kind, Args args) {}

    /**
     * @param kind        classes (an integer label per sample) or targets (real values)
     * @param classNames  class names in label order, when known at compile time; else empty
     * @param numClasses  number of classes, or 0 for targets
     * @param targetWidth number of target values per sample, or 0 for classes
     */
    public record Labels(String kind, List<String> classNames, int numClasses, int targetWidth) {}

    public record Split(double train, double validation, double test) {}
}
