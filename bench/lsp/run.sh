#!/usr/bin/env bash
# Builds the language server jar and its class-data archive (as `./ann lsp` and the VS Code
# extension make it on the first start), then runs the latency benchmark four times: as editors
# start the server (the parallel collector, -Xmx1g, the archive mapped), the same without the
# archive (a first start), the JVM's default flags with the archive, and the serial collector with
# -Xmx512m; writes bench/lsp/results.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -B -q -o -pl lsp-server -am package -DskipTests
jar=lsp-server/target/ann-lsp.jar
jsa=lsp-server/target/ann-lsp.jsa
rm -f "$jsa"
java -XX:ArchiveClassesAtExit="$jsa" -Xlog:cds=off -Xlog:cds+dynamic=off -jar "$jar" --warm-up
cds=(-XX:SharedArchiveFile="$jsa" -Xlog:cds=off)
out=bench/lsp/results.md
{
  echo "# Language server latency (bench/lsp)"
  echo
  echo "Command: \`bench/lsp/run.sh\` (commit $(git rev-parse --short HEAD), $(date -u +%Y-%m-%dT%H:%MZ))."
  echo
} > "$out"
server=(-XX:+UseParallelGC -Xmx1g -Xss4m)   # what ./ann lsp and the VS Code extension pass
java -cp "$jar" bench/lsp/LspBench.java "$jar" "$out" "${server[@]}" "${cds[@]}"
java -cp "$jar" bench/lsp/LspBench.java "$jar" "$out" "${server[@]}"
java -cp "$jar" bench/lsp/LspBench.java "$jar" "$out" "${cds[@]}"
java -cp "$jar" bench/lsp/LspBench.java "$jar" "$out" -XX:+UseSerialGC -Xss4m -Xmx512m "${cds[@]}"
