package dev.ann.compiler.spec;

/** What a declaration in the {@link Registry} is. */
public enum Category {
    LAYER, ACTIVATION, LOSS, OPTIMIZER, SCHEDULE, METRIC, DATA_SOURCE, INITIALIZER,
    DATASET_SETTING, TRAIN_SETTING, PROFILE_SETTING
}
