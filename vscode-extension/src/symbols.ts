// Train blocks and profiles of a document, from the server's document symbols
// (detail "train" / "profile") or, when the server gives none, from the text.
// No `vscode` import: the shapes below are the parts of DocumentSymbol and
// SymbolInformation that are used.

export interface SymbolLike {
  name: string;
  detail?: string;
  children?: SymbolLike[];
}

export interface Targets {
  trains: string[];
  profiles: string[];
}

/**
 * Names of train blocks and profiles among symbols (nested ones included), in document order, without
 * duplicates: a symbol whose detail starts with the word `train` or `profile`.
 */
export function targetsFromSymbols(symbols: readonly SymbolLike[] | undefined | null): Targets {
  const trains: string[] = [];
  const profiles: string[] = [];
  const visit = (list: readonly SymbolLike[]) => {
    for (const s of list) {
      // "train" or "train Net on Data"; "profile"
      const word = (s.detail ?? '').trim().split(/\s+/)[0].toLowerCase();
      if (word === 'train' && !trains.includes(s.name)) {
        trains.push(s.name);
      } else if (word === 'profile' && !profiles.includes(s.name)) {
        profiles.push(s.name);
      }
      if (s.children) {
        visit(s.children);
      }
    }
  };
  visit(symbols ?? []);
  return { trains, profiles };
}

/** Removes comments and string contents, keeping line structure, so that a scan does not see `train` in them. */
function stripCommentsAndStrings(text: string): string {
  return text.replace(/\/\*[\s\S]*?(?:\*\/|$)|\/\/[^\n]*|"(?:[^"\\\n]|\\.)*"?/g, (m) =>
    m.startsWith('"') ? '""' : m.replace(/[^\n]/g, ' '),
  );
}

/**
 * The same from the text, when the server is not there or gives no details: a train block
 * `train Net on Data` is named after its network, `Net`.
 */
export function targetsFromText(text: string): Targets {
  const trains: string[] = [];
  const profiles: string[] = [];
  const clean = stripCommentsAndStrings(text);
  let depth = 0;
  for (const line of clean.split(/\r?\n|\r/)) {
    if (depth === 0) {
      const t = /^\s*train\s+([A-Za-z_]\w*)\s+on\b/.exec(line);
      if (t && !trains.includes(t[1])) {
        trains.push(t[1]);
      }
      const p = /^\s*profile\s+([A-Za-z_]\w*)/.exec(line);
      if (p && !profiles.includes(p[1])) {
        profiles.push(p[1]);
      }
    }
    for (const ch of line) {
      if (ch === '{') {
        depth++;
      } else if (ch === '}' && depth > 0) {
        depth--;
      }
    }
  }
  return { trains, profiles };
}
