import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generatedFiles } from '../../src/generated';

test('paths and URIs come whole, spaces and all, the pom last', () => {
  const files = generatedFiles({
    files: [
      { path: '/home/me/my models/generated/IrisNetTrainer.java', uri: 'file:///home/me/my%20models/generated/IrisNetTrainer.java' },
    ],
    pom: { path: '/home/me/my models/generated/pom.xml', uri: 'file:///home/me/my%20models/generated/pom.xml' },
  });
  assert.deepEqual(
    files.map((f) => f.path),
    ['/home/me/my models/generated/IrisNetTrainer.java', '/home/me/my models/generated/pom.xml'],
  );
  assert.equal(files[0].uri, 'file:///home/me/my%20models/generated/IrisNetTrainer.java');
});

test('anything else gives no files rather than a wrong one', () => {
  assert.deepEqual(generatedFiles(undefined), []);
  assert.deepEqual(generatedFiles('wrote /a b/C.java'), []);
  assert.deepEqual(generatedFiles({ files: ['/old/style/path.java', { path: '/x.java' }, { uri: 'file:///y' }, null] }), []);
});
