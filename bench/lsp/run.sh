#!/usr/bin/env bash
# Builds the language server jar and runs the latency benchmark; writes bench/lsp/results.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -B -q -o -pl lsp-server -am package -DskipTests
java -cp lsp-server/target/ann-lsp.jar bench/lsp/LspBench.java lsp-server/target/ann-lsp.jar bench/lsp/results.md
