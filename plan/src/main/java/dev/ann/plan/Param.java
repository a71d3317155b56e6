package dev.ann.plan;

/**
 * A parameter tensor.
 *
 * @param name      unique, {@code <op name>.<role>}, e.g. {@code dense_1.weight}
 * @param op        id of the op that owns it
 * @param role      {@code weight}, {@code bias}, {@code gamma}, {@code beta},
 *                  {@code running_mean}, {@code running_var}
 * @param shape     its shape: dense weight {@code [in, out]}, conv2d weight
 *                  {@code [out, in, kh, kw]}, bias {@code [out]}
 * @param init      how it is initialised from the seed
 * @param trainable false for state that the optimiser does not update (batchnorm running statistics)
 */
public record Param(String name, int op, String role, Shape shape, Init init, boolean trainable) {

    /**
     * Initialiser. {@code he}: normal with std sqrt(2/fanIn); {@code xavier}:
     * normal with std sqrt(2/(fanIn+fanOut)); {@code normal}: normal with {@code std};
     * {@code zeros}, {@code ones}: constants.
     */
    public record Init(String kind, double std, long fanIn, long fanOut) {}
}
