package dev.ann.compiler.model;

import dev.ann.plan.Shape;

/** Totals of a network: shapes (null if unknown), trainable parameters and forward FLOPs per sample. */
public record NetworkSummary(String name, Shape input, Shape output, long params, long flops, int layers) {}
