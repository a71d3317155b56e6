import assert from 'node:assert/strict';
import { test } from 'node:test';
import { targetsFromSymbols, targetsFromText } from '../../src/symbols';

test('train blocks and profiles come from the symbol detail, nested ones too', () => {
  const t = targetsFromSymbols([
    { name: 'Iris', detail: 'dataset' },
    { name: 'IrisNet', detail: 'network', children: [{ name: 'hidden', detail: 'dense' }] },
    { name: 'IrisNet', detail: 'train' },
    { name: 'Second', detail: 'train Second on Iris' },
    { name: 'trainer', detail: 'trainer' },
    { name: 'dev', detail: 'profile' },
    { name: 'group', detail: '', children: [{ name: 'Other', detail: 'Train' }, { name: 'fast', detail: 'profile' }] },
    { name: 'dev', detail: 'profile' },
  ]);
  assert.deepEqual(t, { trains: ['IrisNet', 'Second', 'Other'], profiles: ['dev', 'fast'] });
  assert.deepEqual(targetsFromSymbols(undefined), { trains: [], profiles: [] });
});

test('from the text: top-level train and profile declarations, not words in comments, strings or bodies', () => {
  const text = [
    '// train Commented on Out',
    '/* profile hidden',
    '   train AlsoOut on X { } */',
    'dataset D {',
    '    train idx("a", "b")',
    '    split train 70%, test 30%',
    '}',
    'train Net on D {',
    '    checkpoint "train Fake on Str"',
    '}',
    'train Second on D { epochs 1 }',
    'profile dev { epochs 1 }',
    'profile  fast {',
    '}',
  ].join('\n');
  assert.deepEqual(targetsFromText(text), { trains: ['Net', 'Second'], profiles: ['dev', 'fast'] });
});
