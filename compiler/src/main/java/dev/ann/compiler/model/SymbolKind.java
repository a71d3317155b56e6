package dev.ann.compiler.model;

public enum SymbolKind {
    NETWORK, BLOCK, BLOCK_PARAM, DATASET, CONST, PROFILE, TRAIN, LAYER, IMPORT
}
