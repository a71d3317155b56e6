#!/usr/bin/env bash
# Builds the language server jar and runs the latency benchmark twice (default
# JVM flags, then the flags docs/editors.md recommends); writes bench/lsp/results.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -B -q -o -pl lsp-server -am package -DskipTests
out=bench/lsp/results.md
{
  echo "# Language server latency (bench/lsp)"
  echo
  echo "Command: \`bench/lsp/run.sh\` (commit $(git rev-parse --short HEAD), $(date -u +%Y-%m-%dT%H:%MZ))."
  echo
} > "$out"
jar=lsp-server/target/ann-lsp.jar
java -cp "$jar" bench/lsp/LspBench.java "$jar" "$out"
java -cp "$jar" bench/lsp/LspBench.java "$jar" "$out" -XX:+UseSerialGC -Xss4m -Xmx512m
