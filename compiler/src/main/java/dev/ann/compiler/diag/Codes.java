package dev.ann.compiler.diag;

/**
 * Every diagnostic code, once. Codes are stable: a code is never reused for
 * another meaning. docs/diagnostics.md lists them with an example each.
 */
public final class Codes {
    private Codes() {}

    /** The text does not follow the grammar. */
    public static final String SYNTAX = "E001";
    /** An imported file does not exist or cannot be read. */
    public static final String IMPORT_MISSING = "E002";
    /** A file imports itself, directly or through others. */
    public static final String IMPORT_CYCLE = "E003";

    /** A name (network, dataset, block, const) that nothing declares. */
    public static final String UNKNOWN_NAME = "E010";
    /** A layer statement calls something that is neither a layer kind, an activation nor a block. */
    public static final String UNKNOWN_LAYER = "E011";
    /** Two declarations (or two statements, or two block parameters) with one name. */
    public static final String DUPLICATE_NAME = "E012";
    /** A named argument the callee does not have. */
    public static final String UNKNOWN_ARGUMENT = "E013";
    /** A required argument is not given. */
    public static final String MISSING_ARGUMENT = "E014";
    /** More positional arguments than the callee takes. */
    public static final String TOO_MANY_ARGUMENTS = "E015";
    /** An argument given twice (positionally and by name, or by name twice). */
    public static final String DUPLICATE_ARGUMENT = "E016";
    /** A value of the wrong type: a string where an int goes, a float for a layer count... */
    public static final String TYPE_MISMATCH = "E017";
    /** A value outside its allowed range: dropout 1.5, a negative learning rate, 0 units. */
    public static final String OUT_OF_RANGE = "E018";
    /** A bare name that is not one of the allowed values (padding, loss, optimiser, metric...). */
    public static final String UNKNOWN_VALUE = "E019";
    /** A const that cannot be evaluated: wrong operand types, division by zero, a cycle. */
    public static final String CONST_ERROR = "E020";
    /** A block that uses itself, directly or through other blocks. */
    public static final String BLOCK_RECURSION = "E021";
    /** Something other than an activation after {@code ->}. */
    public static final String NOT_AN_ACTIVATION = "E022";
    /** A block parameter with an unknown type or a default of the wrong type. */
    public static final String BAD_PARAMETER = "E023";
    /** A name of the wrong kind: a dataset where a network goes, a network used as a layer. */
    public static final String WRONG_KIND = "E024";

    /** A network without {@code input}. */
    public static final String INPUT_MISSING = "E030";
    /** {@code input} repeated or not the first statement. */
    public static final String INPUT_MISPLACED = "E031";
    /** {@code input} inside a block, branch or residual body. */
    public static final String INPUT_IN_BLOCK = "E032";
    /** A layer cannot take its input shape (kernel larger than the picture, dense on an image...). */
    public static final String SHAPE_MISMATCH = "E033";
    /** The branches of a {@code parallel} do not fit together. */
    public static final String BRANCH_SHAPES = "E034";
    /** A {@code residual} body does not give back its input shape. */
    public static final String RESIDUAL_SHAPE = "E035";
    /** {@code parallel} without a known mode (concat, add) or without branches. */
    public static final String BAD_PARALLEL = "E036";
    /** A network, block, branch or residual with no statements. */
    public static final String EMPTY_BODY = "E037";
    /**
     * An embedding not fed token ids (float features, a layer's output), or whose vocabulary differs from
     * its dataset's tokenizer.
     */
    public static final String TOKEN_IDS = "E038";
    /** A sequence {@code [T, F]} where training needs one vector per sample (a classifier without pooling). */
    public static final String SEQUENCE_OUTPUT = "E039";

    /** A setting that the dataset, train block or profile does not have. */
    public static final String UNKNOWN_SETTING = "E040";
    /** A setting written in the wrong form: missing or extra values. */
    public static final String SETTING_FORM = "E041";
    /** A dataset with no source of samples. */
    public static final String NO_SOURCE = "E042";
    /** A data file or folder that does not exist. */
    public static final String DATA_MISSING = "E043";
    /** A data file that cannot be used: bad header, too few columns, unreadable. */
    public static final String DATA_UNREADABLE = "E044";
    /** The dataset's sample shape differs from the network's input. */
    public static final String SAMPLE_SHAPE = "E045";
    /** The network's output width differs from the number of classes or targets. */
    public static final String OUTPUT_WIDTH = "E046";
    /** The loss does not fit the task (cross_entropy on a regression target...). */
    public static final String LOSS_TASK = "E047";
    /** Split fractions that do not add up, or a split and sources that contradict each other. */
    public static final String BAD_SPLIT = "E048";
    /** A metric that does not fit the task (accuracy on a regression). */
    public static final String METRIC_TASK = "E049";
    /** A profile's overrides break the network (a resize too small for a conv stack). */
    public static final String PROFILE_BREAKS = "E050";
    /** {@code resize} on data that are not pictures, or not {@code [height, width]}. */
    public static final String BAD_RESIZE = "E051";
    /** A CSV source with neither {@code label} nor {@code target}, or both. */
    public static final String LABELS = "E052";
    /** A train block without a required setting (loss). */
    public static final String MISSING_SETTING = "E053";
    /** A {@code sweep} line that names no setting, one that cannot be swept, or fewer than two values. */
    public static final String BAD_SWEEP = "E058";

    /** {@code mse} (or mae, huber) after a final {@code softmax}: gradients vanish; cross_entropy fits. */
    public static final String MSE_AFTER_SOFTMAX = "W001";
    /** {@code step} where gradients must flow: nothing before it can learn. */
    public static final String STEP_TRAINED = "W002";
    /** A setting given twice; the last one counts. */
    public static final String DUPLICATE_SETTING = "W003";
    /** A val_ metric watched without validation data. */
    public static final String NO_VALIDATION = "W004";
    /** {@code init from} a checkpoint file that is not there (yet): training will stop unless it is by then. */
    public static final String INIT_MISSING = "W005";
    /** A data source given as a URI (hdfs://, s3a://, file://...): not read at check time; training reads it. */
    public static final String DATA_NOT_PROBED = "W006";
    /** {@code init from} a checkpoint that keeps no vocabulary of words, under a dataset with a tokens line: the ids will not match. */
    public static final String INIT_VOCABULARY = "W007";
}
