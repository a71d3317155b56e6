// Class-data sharing for the language server: the classes a session loads (LSP4J, Gson, ANTLR,
// the compiler) are dumped once into an archive, which later starts map already parsed and
// verified; that takes a few hundred milliseconds off "start -> first diagnostics". The archive is
// made in the background the first time (`java -XX:ArchiveClassesAtExit=... -jar ann-lsp.jar
// --warm-up` runs a whole session in memory) and used from the next start on. The `./ann lsp`
// launcher does the same with cli/target/ann-lsp.jsa.
import { createHash } from 'node:crypto';
import * as path from 'node:path';

/** Keeps a JVM quiet when it cannot use an archive (another Java or another jar made it). */
export const QUIET_CDS = ['-Xlog:cds=off', '-Xlog:cds+dynamic=off'];

/** One archive per Java and per server jar: a JVM maps only an archive it made from the same jar. */
export function archivePath(
  storageDir: string,
  javaExecutable: string,
  javaVersion: string,
  jar: { size: number; mtimeMs: number },
): string {
  const key = createHash('sha256')
    .update(`${javaExecutable}\n${javaVersion}\n${jar.size}\n${Math.round(jar.mtimeMs)}`)
    .digest('hex')
    .slice(0, 16);
  return path.join(storageDir, `ann-lsp-${key}.jsa`);
}

/** The server's command line after `java`: the user's JVM options, the archive if there is one, the jar. */
export function serverArgs(jvmOptions: string[], jar: string, archive: string | undefined): string[] {
  return [...jvmOptions, ...(archive ? [`-XX:SharedArchiveFile=${archive}`, ...QUIET_CDS] : []), '-jar', jar];
}

/** The command line (after `java`) that writes the archive to `out`: a warm-up session, then exit. */
export function archiveArgs(jar: string, out: string): string[] {
  return [`-XX:ArchiveClassesAtExit=${out}`, ...QUIET_CDS, '-jar', jar, '--warm-up'];
}
