// The result of the server's ann.generate command

/** One file `ann generate` wrote: its absolute path and its file URI (both whole: a path may hold spaces). */
export interface GeneratedFile {
  path: string;
  uri: string;
}

/**
 * The files of an ann.generate result, `{ files: [{ path, uri }], pom?: { path, uri } }`, the pom last;
 * entries that are not of that shape are left out.
 */
export function generatedFiles(result: unknown): GeneratedFile[] {
  const out: GeneratedFile[] = [];
  if (typeof result !== 'object' || result === null) {
    return out;
  }
  const r = result as { files?: unknown; pom?: unknown };
  const entries = Array.isArray(r.files) ? [...r.files] : [];
  if (r.pom !== undefined) {
    entries.push(r.pom);
  }
  for (const e of entries) {
    if (typeof e === 'object' && e !== null) {
      const { path, uri } = e as { path?: unknown; uri?: unknown };
      if (typeof path === 'string' && path && typeof uri === 'string' && uri) {
        out.push({ path, uri });
      }
    }
  }
  return out;
}
