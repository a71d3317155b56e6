import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { archiveArgs, archivePath, serverArgs } from '../../src/cds';

test('serverArgs maps the archive only when there is one, before -jar, after the user options', () => {
  assert.deepEqual(serverArgs(['-Xmx512m'], '/x/ann-lsp.jar', undefined), ['-Xmx512m', '-jar', '/x/ann-lsp.jar']);
  assert.deepEqual(serverArgs(['-Xmx512m'], '/x/ann-lsp.jar', '/s/a.jsa'), [
    '-Xmx512m',
    '-XX:SharedArchiveFile=/s/a.jsa',
    '-Xlog:cds=off',
    '-Xlog:cds+dynamic=off',
    '-jar',
    '/x/ann-lsp.jar',
  ]);
});

test('archiveArgs runs the in-memory warm-up session and dumps its classes at exit', () => {
  assert.deepEqual(archiveArgs('/x/ann-lsp.jar', '/s/a.jsa.tmp'), [
    '-XX:ArchiveClassesAtExit=/s/a.jsa.tmp',
    '-Xlog:cds=off',
    '-Xlog:cds+dynamic=off',
    '-jar',
    '/x/ann-lsp.jar',
    '--warm-up',
  ]);
});

test('archivePath is one file per Java and per server jar, in the storage folder', () => {
  const jar = { size: 1000, mtimeMs: 5 };
  const a = archivePath('/store', '/usr/bin/java', '17.0.15', jar);
  assert.equal(path.dirname(a), '/store');
  assert.match(path.basename(a), /^ann-lsp-[0-9a-f]{16}\.jsa$/);
  assert.equal(archivePath('/store', '/usr/bin/java', '17.0.15', { size: 1000, mtimeMs: 5 }), a);
  assert.notEqual(archivePath('/store', '/usr/bin/java', '21.0.2', jar), a);
  assert.notEqual(archivePath('/store', '/opt/jdk/bin/java', '17.0.15', jar), a);
  assert.notEqual(archivePath('/store', '/usr/bin/java', '17.0.15', { size: 1001, mtimeMs: 5 }), a);
  assert.notEqual(archivePath('/store', '/usr/bin/java', '17.0.15', { size: 1000, mtimeMs: 6 }), a);
});
