package dev.ann.compiler.spec;

import java.util.List;

/**
 * A line of a dataset, train or profile body: {@code name(args)? value, value...}.
 *
 * @param args          arguments in parentheses ({@code early_stopping(monitor: val_loss)}), usually none
 * @param form          what follows the name
 * @param value         for VALUE, LIST and FLAG: the type, default and range of each value; else null
 * @param valueCategory for COMPONENT: the category named ({@code loss mse} names a LOSS); else null
 */
public record SettingSpec(String name, Category category, List<ArgSpec> args, String doc, Form form, ArgSpec value,
                          Category valueCategory) implements Spec {

    public SettingSpec {
        args = List.copyOf(args);
    }

    /** The word between a FROM setting's name and its value. */
    public static final String FROM = "from";

    public enum Form {
        /** one value: {@code epochs 12}, {@code scale 1/255}, {@code normalize standard} */
        VALUE,
        /** a declaration of {@code valueCategory}, bare or called: {@code loss mse}, {@code optimizer adam(lr: 1e-3)} */
        COMPONENT,
        /** comma-separated values: {@code metrics accuracy, loss}, {@code classes "a", "b"} (or a count: {@code classes 10}) */
        LIST,
        /** a data source call: {@code train csv("a.csv", ...)} */
        SOURCE,
        /** a data source call or a fraction held out of train: {@code validation 10%} */
        SOURCE_OR_FRACTION,
        /** {@code split train 70%, validation 15%, test 15%} */
        SPLIT,
        /** {@code checkpoint "dir" every 1, keep best(val_accuracy)} */
        CHECKPOINT,
        /** {@code init from "file.ckpt"}: the word {@link #FROM} and a value */
        FROM,
        /** only parenthesised arguments: {@code early_stopping(monitor: val_loss, patience: 3)} */
        ARGS,
        /** bare, with arguments, or a bool: {@code shuffle}, {@code shuffle(seed: 1)}, {@code shuffle false} */
        FLAG,
        /** a profile setting's name and its values: {@code sweep batch 32, 64}, {@code sweep optimizer adam(lr: 1e-3), sgd(lr: 0.1)} */
        SWEEP
    }
}
