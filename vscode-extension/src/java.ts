// Finding a Java 17+ runtime for the language server. No `vscode` import here:
// the logic is unit-tested under plain Node.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const MIN_JAVA = 17;

/** Where a candidate `java` came from, in lookup order. */
export type JavaSource = 'setting' | 'JAVA_HOME' | 'PATH';

export interface JavaCandidate {
  source: JavaSource;
  /** The `java` executable. */
  executable: string;
}

export interface JavaFound {
  ok: true;
  source: JavaSource;
  executable: string;
  major: number;
  version: string;
}

export interface JavaMissing {
  ok: false;
  /** One line per place that was looked at, saying what was wrong there. */
  tried: string[];
  /** A message for the user: what is wrong and how to fix it. */
  message: string;
}

export type JavaLookup = JavaFound | JavaMissing;

/**
 * The major version from `java -version` output (it goes to stderr):
 * `openjdk version "17.0.15" 2025-04-15` → 17, `java version "1.8.0_292"` → 8,
 * `openjdk version "21" 2023-09-19` → 21, `openjdk version "24-ea"` → 24.
 * Undefined when the text has no version line.
 */
export function parseJavaVersion(output: string): { major: number; version: string } | undefined {
  const m = /\bversion\s+"([^"]+)"/.exec(output);
  if (!m) {
    return undefined;
  }
  const version = m[1];
  const parts = /^(\d+)(?:\.(\d+))?/.exec(version);
  if (!parts) {
    return undefined;
  }
  const first = Number(parts[1]);
  const major = first === 1 && parts[2] !== undefined ? Number(parts[2]) : first;
  return { major, version };
}

const EXE = process.platform === 'win32' ? 'java.exe' : 'java';

/** `java` inside a Java home folder. */
export function javaInHome(home: string): string {
  return path.join(home, 'bin', EXE);
}

/** The first `java` on a PATH value, or undefined. */
export function javaOnPath(pathValue: string | undefined, exists: (file: string) => boolean): string | undefined {
  if (!pathValue) {
    return undefined;
  }
  for (const dir of pathValue.split(path.delimiter)) {
    if (!dir) {
      continue;
    }
    const candidate = path.join(dir, EXE);
    if (exists(candidate)) {
      return candidate;
    }
  }
  return undefined;
}

export interface LookupEnv {
  /** The `ann.java.home` setting; empty or undefined when not set. */
  settingHome?: string;
  /** Environment variables (JAVA_HOME, PATH). */
  env: Record<string, string | undefined>;
  /** Whether a file exists and is a file. */
  exists: (file: string) => boolean;
  /** Runs `<java> -version` and resolves with its output (stdout + stderr); rejects when it cannot run. */
  runVersion: (executable: string) => Promise<string>;
}

const FIX =
  'Install Java 17 or newer (e.g. `apt install openjdk-17-jre-headless`) and either set the setting ' +
  '"ann.java.home" to its folder (the one containing bin/java), set JAVA_HOME, or put its java on PATH; ' +
  'then run "ann: Restart language server".';

/**
 * Looks for Java in the order: setting `ann.java.home`, JAVA_HOME, PATH, and returns the first
 * that is Java 17 or newer. A setting that points at nothing usable is an error by itself (the user
 * asked for that Java), so the lookup does not go on past it.
 */
export async function findJava(le: LookupEnv): Promise<JavaLookup> {
  const tried: string[] = [];
  const candidates: JavaCandidate[] = [];
  const settingHome = le.settingHome?.trim();
  if (settingHome) {
    const exe = javaInHome(settingHome);
    if (!le.exists(exe)) {
      return {
        ok: false,
        tried: [`setting ann.java.home: ${exe} does not exist`],
        message: `The setting "ann.java.home" is "${settingHome}", but ${exe} does not exist. ` +
          'Set it to the folder of a Java 17+ installation (the one containing bin/java), or clear it ' +
          'to use JAVA_HOME or the java on PATH.',
      };
    }
    candidates.push({ source: 'setting', executable: exe });
  } else {
    const javaHome = le.env.JAVA_HOME?.trim();
    if (javaHome) {
      const exe = javaInHome(javaHome);
      if (le.exists(exe)) {
        candidates.push({ source: 'JAVA_HOME', executable: exe });
      } else {
        tried.push(`JAVA_HOME=${javaHome}: ${exe} does not exist`);
      }
    }
    const onPath = javaOnPath(le.env.PATH ?? le.env.Path, le.exists);
    if (onPath) {
      candidates.push({ source: 'PATH', executable: onPath });
    } else {
      tried.push('PATH: no java found');
    }
  }

  for (const c of candidates) {
    const where = c.source === 'setting' ? 'setting ann.java.home' : c.source;
    let out: string;
    try {
      out = await le.runVersion(c.executable);
    } catch (e) {
      tried.push(`${where}: ${c.executable} did not run (${e instanceof Error ? e.message : String(e)})`);
      continue;
    }
    const v = parseJavaVersion(out);
    if (!v) {
      tried.push(`${where}: ${c.executable} -version printed no version`);
      continue;
    }
    if (v.major < MIN_JAVA) {
      tried.push(`${where}: ${c.executable} is Java ${v.version}, older than ${MIN_JAVA}`);
      continue;
    }
    return { ok: true, source: c.source, executable: c.executable, major: v.major, version: v.version };
  }
  if (settingHome) {
    return {
      ok: false,
      tried,
      message: `The setting "ann.java.home" does not point at Java ${MIN_JAVA} or newer (${tried.join('; ')}). ${FIX}`,
    };
  }
  return {
    ok: false,
    tried,
    message: `The ann language server needs Java ${MIN_JAVA} or newer, and none was found (${tried.join('; ')}). ${FIX}`,
  };
}

/** The real environment: files on disk, `java -version` run with a timeout. */
export function systemLookupEnv(settingHome: string | undefined): LookupEnv {
  return {
    settingHome,
    env: process.env,
    exists: (file) => {
      try {
        return fs.statSync(file).isFile();
      } catch {
        return false;
      }
    },
    runVersion: (exe) =>
      new Promise((resolve, reject) => {
        execFile(exe, ['-version'], { timeout: 15000 }, (err, stdout, stderr) => {
          if (err) {
            reject(err);
          } else {
            resolve(`${stdout}\n${stderr}`);
          }
        });
      }),
  };
}
