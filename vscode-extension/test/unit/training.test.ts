import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { TrainEvent, TrainingState, duration, eventOf, parseMetricsCsv } from '../../src/training';

// Streams recorded from the real command line (`ann train FILE --profile dev --events json`), as the
// language server forwards them: each event in the `ann` field of a work-done report.
function recorded(name: string): unknown[] {
  return readFileSync(`test/unit/fixtures/${name}`, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => ({ kind: 'report', cancellable: true, ann: JSON.parse(l) }));
}

function replay(values: unknown[], until = values.length): TrainingState {
  const s = new TrainingState();
  for (const v of values.slice(0, until)) {
    const e = eventOf(v);
    if (e) {
      s.apply(e);
    }
  }
  return s;
}

const iris = recorded('iris-dev.events.jsonl');
const epochEvents = iris.map(eventOf).filter((e): e is TrainEvent => e?.event === 'epoch') as Array<Extract<TrainEvent, { event: 'epoch' }>>;

test('only progress values with an ann event are events', () => {
  assert.equal(eventOf({ kind: 'report', message: 'epoch 1/5' }), undefined);
  assert.equal(eventOf({ kind: 'report', ann: { event: 'something else' } }), undefined);
  assert.equal(eventOf(undefined), undefined);
  assert.equal(eventOf(iris[0])?.event, 'start');
});

test('the recorded iris stream: a point per epoch on each curve, with the epoch events\' values', () => {
  assert.equal(epochEvents.length, 5);
  for (let k = 1; k <= 5; k++) {
    // replay up to and including the k-th epoch event
    const s = replay(iris, iris.findIndex((v) => eventOf(v) === epochEvents[k - 1]) + 1);
    const charts = s.charts();
    assert.deepEqual(charts.map((c) => c.id), ['loss', 'accuracy', 'lr'], 'loss, the declared metric accuracy, the learning rate');
    const loss = charts[0];
    assert.deepEqual(loss.series.map((x) => x.label), ['train_loss', 'val_loss']);
    for (const series of [...loss.series, ...charts[1].series]) {
      assert.equal(series.points.length, k, `${series.label} after epoch ${k}`);
      assert.deepEqual(series.points.map((p) => p.x), Array.from({ length: k }, (_, i) => i + 1));
      assert.deepEqual(series.points.map((p) => p.y), epochEvents.slice(0, k).map((e) => e.metrics[series.key]));
    }
    assert.equal(s.status, 'training');
  }
});

test('batch progress between epochs shows the terminal bar\'s figures', () => {
  const i = iris.findIndex((v) => eventOf(v)?.event === 'batch');
  const s = replay(iris, i + 1);
  const b = eventOf(iris[i]) as Extract<TrainEvent, { event: 'batch' }>;
  assert.equal(s.charts()[0].series[0].points.length, 0, 'no epoch yet');
  assert.match(s.progressText()!, new RegExp(`^epoch 1/5 · batch ${b.batch}/7 · loss ${b.loss!.toFixed(4)} · [0-9,]+ samples/s · epoch ETA \\d+:\\d\\d$`));
  assert.match(s.statsText(), /^lr 0\.0100 · [0-9,]+ samples\/s · elapsed \d+:\d\d · ETA \d+:\d\d$/);
});

test('the end of the iris run: test metrics with SE and interval, per-class table, confusion heat map', () => {
  const s = replay(iris);
  assert.equal(s.status, 'done');
  assert.equal(s.progressText(), undefined, 'no batch progress after the end');
  const r = s.results()!;
  assert.equal(r.split, 'test');
  assert.equal(r.test.n, 22);
  assert.ok(r.test.accuracy_se! > 0 && r.test.accuracy_ci95![0]! <= r.test.accuracy! && r.test.accuracy! <= r.test.accuracy_ci95![1]!);
  const h = s.heatmap()!;
  assert.deepEqual(h.classes, ['setosa', 'versicolor', 'virginica']);
  const total = h.cells.flat().reduce((a, c) => a + c.count, 0);
  assert.equal(total, 22);
  for (const row of h.cells) {
    const shares = row.reduce((a, c) => a + c.share, 0);
    assert.ok(Math.abs(shares - 1) < 1e-9, 'each true class\'s row sums to 1');
  }
  // the diagonal share of a true class is its recall
  r.test.per_class!.forEach((p, i) => assert.ok(Math.abs(h.cells[i][i].share - p.recall) < 1e-6, `${p.class}: ${h.cells[i][i].share} vs ${p.recall}`));
});

test('regression: the recorded projectile stream gives val_mae / val_r2 curves and the scatter points', () => {
  const s = replay(recorded('projectile-dev.events.jsonl'));
  assert.equal(s.status, 'done');
  assert.deepEqual(s.charts().map((c) => c.id), ['loss', 'mae', 'r2', 'lr']);
  const mae = s.charts()[1];
  assert.deepEqual(mae.series.map((x) => x.label), ['val_mae'], 'the training split has no MAE');
  assert.equal(mae.series[0].points.length, 3);
  assert.equal(s.heatmap(), undefined);
  assert.equal(s.end!.points!.length, s.results()!.test.n);
  const mse = s.end!.points!.reduce((a, [t, p]) => a + (p - t) * (p - t), 0) / s.end!.points!.length;
  assert.ok(Math.abs(mse - s.results()!.test.mse!) < 1e-3 * Math.max(1, s.results()!.test.mse!), `${mse} vs ${s.results()!.test.mse}`);
});

test('an earlier run from metrics.csv is overlaid on the same charts', () => {
  const rows = parseMetricsCsv(readFileSync('test/unit/fixtures/iris-earlier.metrics.csv', 'utf8'));
  assert.equal(rows.length, 60);
  assert.equal(rows[0].epoch, 1);
  assert.equal(rows[59].epoch, 60);
  assert.equal(rows[1].train_loss, 1.63713);
  const s = replay(iris);
  const loss = s.charts([{ name: '20261202-003913', rows }])[0];
  assert.deepEqual(loss.series.map((x) => x.label), ['train_loss', 'val_loss', 'train_loss · 20261202-003913', 'val_loss · 20261202-003913']);
  assert.equal(loss.series[2].run, '20261202-003913');
  assert.equal(loss.series[2].points.length, 60);
  assert.equal(loss.series[0].points.length, 5);
});

test('metrics.csv: empty and non-numeric cells are null, blank lines skipped', () => {
  assert.deepEqual(parseMetricsCsv('epoch,train_loss,val_loss\n1,0.5,\n\n2,NaN,0.25\n'), [
    { epoch: 1, train_loss: 0.5, val_loss: null },
    { epoch: 2, train_loss: null, val_loss: 0.25 },
  ]);
  assert.deepEqual(parseMetricsCsv(''), []);
});

test('an error event with a diagnostic fails the run and keeps the place', () => {
  const s = new TrainingState();
  s.apply({
    event: 'error',
    message: '1 error, 0 warnings in iris.ann',
    exit_code: 1,
    diagnostics: [{ file: '/w/iris.ann', line: 18, column: 27, code: 'E020', message: "unknown activation 'rleu'" }],
  });
  s.progressEnded('failed (exit code 1): 1 error, 0 warnings in iris.ann', false);
  assert.equal(s.status, 'failed');
  assert.equal(s.error!.diagnostics[0].line, 18);
});

test('a run that ends without an outcome event: done, stopped or failed from the progress end', () => {
  const started = () => {
    const s = new TrainingState();
    s.apply(eventOf(iris[0])!);
    return s;
  };
  const a = started();
  a.progressEnded('failed (exit code 3)', false);
  assert.equal(a.status, 'failed');
  const b = started();
  b.status = 'stopping';
  b.progressEnded('stopped after epoch 2/5', false);
  assert.equal(b.status, 'stopped');
  const c = replay(iris);
  c.progressEnded('done: epoch 5/5', false);
  assert.equal(c.status, 'done', 'the end event decided already');
});

test('durations as the terminal writes them', () => {
  assert.equal(duration(0.4), '0:00');
  assert.equal(duration(75), '1:15');
  assert.equal(duration(3723), '1:02:03');
});
