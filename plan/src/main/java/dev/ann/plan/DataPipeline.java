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
        List<Integer> resize) {

    public DataPipeline {
        sources = List.copyOf(sources);
    }

    /**
     * A data source.
     *
     * @param role {@code all} (to be split), {@code train}, {@code validation} or {@code test}
     * @param kind {@code csv}, {@code idx} or {@code images}
     * @param args resolved arguments; paths are absolute. csv: path, header, features
     *             (list of column indices), label or target (list of column indices),
     *             delimiter. idx: images, labels. images: folder, size.
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
