import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseProgress, statusText } from '../../src/progress';

test('the server message "epoch 3/12 · loss 0.412 · accuracy 0.881" gives epoch, loss and metrics', () => {
  const p = parseProgress('epoch 3/12 · loss 0.412 · accuracy 0.881');
  assert.ok(p);
  assert.equal(p.epoch, 3);
  assert.equal(p.epochs, 12);
  assert.equal(p.loss, '0.412');
  assert.deepEqual(p.metrics, [['accuracy', '0.881']]);
  assert.equal(statusText(p), 'epoch 3/12 · loss 0.412');
});

test('loss in scientific notation, val_loss kept apart from loss', () => {
  const p = parseProgress('epoch 10/10 · loss 1.5e-3 · val_loss 0.002 · val_accuracy 97.5%');
  assert.ok(p);
  assert.equal(p.loss, '1.5e-3');
  assert.deepEqual(p.metrics, [
    ['val_loss', '0.002'],
    ['val_accuracy', '97.5%'],
  ]);
  assert.equal(statusText(p), 'epoch 10/10 · loss 1.5e-3');
});

test('an epoch without a total, and a loss without an epoch', () => {
  assert.equal(statusText(parseProgress('epoch 4 · loss 0.9')!), 'epoch 4 · loss 0.9');
  assert.equal(statusText(parseProgress('loss: 0.25')!), 'loss 0.25');
});

test('messages about other things are not training progress', () => {
  assert.equal(parseProgress('loading data'), undefined);
  assert.equal(parseProgress('compiling iris.ann'), undefined);
  assert.equal(parseProgress(undefined), undefined);
  assert.equal(parseProgress(''), undefined);
});

test('the loss of `ann train` lines is train_loss; validation metrics stay metrics', () => {
  // `ann train` prints "epoch 2/5  train_loss 1.6371  train_accuracy 27.62%  val_loss 0.9273 ..." and
  // the server turns it into this message
  const p = parseProgress(
    'epoch 2/5 · train_loss 1.6371 · train_accuracy 27.62% · val_loss 0.9273 · val_accuracy 47.83% · val_f1 0.3718',
  );
  assert.ok(p);
  assert.equal(p.loss, '1.6371');
  assert.equal(statusText(p), 'epoch 2/5 · loss 1.6371');
  assert.deepEqual(p.metrics.map(([n]) => n), ['train_accuracy', 'val_loss', 'val_accuracy', 'val_f1']);
  // a plain `loss` wins over train_loss
  assert.equal(parseProgress('epoch 1/2 · train_loss 0.5 · loss 0.4')?.loss, '0.4');
  // a validation loss alone is not the training loss
  assert.equal(parseProgress('epoch 1/2 · val_loss 0.5')?.loss, undefined);
});
