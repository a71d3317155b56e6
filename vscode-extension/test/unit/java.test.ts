import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { findJava, javaOnPath, LookupEnv, parseJavaVersion } from '../../src/java';

test('parseJavaVersion reads the major version of old and new version strings', () => {
  assert.deepEqual(parseJavaVersion('openjdk version "17.0.15" 2025-04-15\nOpenJDK Runtime Environment'), {
    major: 17,
    version: '17.0.15',
  });
  assert.equal(parseJavaVersion('java version "1.8.0_292"\nJava(TM) SE Runtime Environment')?.major, 8);
  assert.equal(parseJavaVersion('openjdk version "21" 2023-09-19')?.major, 21);
  assert.equal(parseJavaVersion('openjdk version "24-ea" 2025-03-18')?.major, 24);
  assert.equal(parseJavaVersion('java version "11.0.2" 2019-01-15 LTS')?.major, 11);
  assert.equal(parseJavaVersion('Picked up JAVA_TOOL_OPTIONS: -Xmx1g\nopenjdk version "19.0.1"')?.major, 19);
  assert.equal(parseJavaVersion('bash: java: command not found'), undefined);
  assert.equal(parseJavaVersion(''), undefined);
});

/** A fake machine: which files exist and what each java prints. */
function machine(opts: {
  settingHome?: string;
  env?: Record<string, string>;
  javas: Record<string, string | Error>;
}): LookupEnv & { ran: string[] } {
  const ran: string[] = [];
  return {
    ran,
    settingHome: opts.settingHome,
    env: opts.env ?? {},
    exists: (f) => f in opts.javas,
    runVersion: async (exe) => {
      ran.push(exe);
      const out = opts.javas[exe];
      if (out instanceof Error) {
        throw out;
      }
      return out;
    },
  };
}

const j = (home: string) => path.join(home, 'bin', 'java');
const v = (version: string) => `openjdk version "${version}" 2025-01-01`;

test('the setting ann.java.home comes first, before JAVA_HOME and PATH', async () => {
  const m = machine({
    settingHome: '/opt/jdk21',
    env: { JAVA_HOME: '/opt/jdk17', PATH: '/usr/bin' },
    javas: { [j('/opt/jdk21')]: v('21.0.1'), [j('/opt/jdk17')]: v('17.0.2'), '/usr/bin/java': v('17.0.9') },
  });
  const r = await findJava(m);
  assert.ok(r.ok);
  assert.equal(r.source, 'setting');
  assert.equal(r.executable, j('/opt/jdk21'));
  assert.equal(r.major, 21);
});

test('JAVA_HOME comes before PATH', async () => {
  const m = machine({
    env: { JAVA_HOME: '/opt/jdk17', PATH: '/usr/bin' },
    javas: { [j('/opt/jdk17')]: v('17.0.2'), '/usr/bin/java': v('21.0.9') },
  });
  const r = await findJava(m);
  assert.ok(r.ok);
  assert.equal(r.source, 'JAVA_HOME');
  assert.equal(r.major, 17);
});

test('PATH is searched in order when neither the setting nor JAVA_HOME is set', async () => {
  const m = machine({
    env: { PATH: ['/nothing', '/usr/local/bin', '/usr/bin'].join(path.delimiter) },
    javas: { '/usr/local/bin/java': v('22'), '/usr/bin/java': v('17.0.1') },
  });
  const r = await findJava(m);
  assert.ok(r.ok);
  assert.equal(r.source, 'PATH');
  assert.equal(r.executable, '/usr/local/bin/java');
  assert.equal(javaOnPath(undefined, () => true), undefined);
});

test('a too old JAVA_HOME falls through to a Java 17 on PATH', async () => {
  const m = machine({
    env: { JAVA_HOME: '/opt/jdk8', PATH: '/usr/bin' },
    javas: { [j('/opt/jdk8')]: 'java version "1.8.0_292"', '/usr/bin/java': v('17.0.15') },
  });
  const r = await findJava(m);
  assert.ok(r.ok);
  assert.equal(r.source, 'PATH');
  assert.deepEqual(m.ran, [j('/opt/jdk8'), '/usr/bin/java']);
});

test('only Java older than 17: the message names what was found and how to fix it', async () => {
  const m = machine({
    env: { JAVA_HOME: '/opt/jdk11', PATH: '/usr/bin' },
    javas: { [j('/opt/jdk11')]: v('11.0.2'), '/usr/bin/java': 'java version "1.8.0_292"' },
  });
  const r = await findJava(m);
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.match(r.message, /needs Java 17 or newer/);
    assert.match(r.message, /Java 11\.0\.2, older than 17/);
    assert.match(r.message, /Java 1\.8\.0_292, older than 17/);
    assert.match(r.message, /ann\.java\.home/);
    assert.match(r.message, /JAVA_HOME/);
    assert.equal(r.tried.length, 2);
  }
});

test('no Java anywhere', async () => {
  const r = await findJava(machine({ env: { PATH: '/usr/bin' }, javas: {} }));
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.match(r.message, /none was found/);
    assert.match(r.message, /PATH: no java found/);
  }
});

test('a setting that points at no java is an error by itself; PATH is not used instead', async () => {
  const m = machine({ settingHome: '/wrong', env: { PATH: '/usr/bin' }, javas: { '/usr/bin/java': v('17') } });
  const r = await findJava(m);
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.match(r.message, /"ann\.java\.home" is "\/wrong"/);
    assert.match(r.message, /does not exist/);
  }
  assert.deepEqual(m.ran, []);
});

test('a java that fails to run is reported and skipped', async () => {
  const m = machine({
    env: { JAVA_HOME: '/broken', PATH: '/usr/bin' },
    javas: { [j('/broken')]: new Error('EACCES'), '/usr/bin/java': v('17.0.3') },
  });
  const r = await findJava(m);
  assert.ok(r.ok);
  assert.equal(r.executable, '/usr/bin/java');
});
