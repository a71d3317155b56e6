// The training view's script, inside the webview (bundled with Chart.js into dist/panel.js; the
// webview loads nothing else). It folds the events the extension posts into a TrainingState
// (src/training.ts, shared with the extension and the unit tests) and draws it, at most once per
// animation frame however fast the events come.
import {
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  ScatterController,
  Tooltip,
} from 'chart.js';
import { EarlierRun, Row, Series, Status, TrainEvent, TrainingState, fixed, percent } from '../training';

Chart.register(LineController, ScatterController, LineElement, PointElement, LinearScale, CategoryScale, Legend, Tooltip);

interface VsCodeApi {
  postMessage(message: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;
const vscode = acquireVsCodeApi();

type ToView =
  | { type: 'reset'; title: string }
  | { type: 'event'; event: TrainEvent }
  | { type: 'ended'; message?: string; cancelled: boolean }
  | { type: 'stopping' }
  | { type: 'runs'; runs: Array<{ name: string; label: string }> }
  | { type: 'overlay'; name: string; rows: Row[] };

let state = new TrainingState();
const overlays = new Map<string, Row[]>();
const charts = new Map<string, Chart>();
let scatter: Chart | undefined;
let drawn = -1;
let frame = false;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

window.addEventListener('message', (m: MessageEvent<ToView>) => {
  const msg = m.data;
  switch (msg.type) {
    case 'reset':
      state = new TrainingState();
      $('title').textContent = msg.title;
      for (const c of charts.values()) {
        c.destroy();
      }
      charts.clear();
      $('curves').replaceChildren();
      scatter?.destroy();
      scatter = undefined;
      break;
    case 'event':
      state.apply(msg.event);
      break;
    case 'ended':
      state.progressEnded(msg.message, msg.cancelled);
      break;
    case 'stopping':
      if (state.status === 'training' || state.status === 'starting') {
        state.status = 'stopping';
        state.version++;
      }
      break;
    case 'runs':
      showRuns(msg.runs);
      break;
    case 'overlay':
      overlays.set(msg.name, msg.rows);
      state.version++;
      break;
  }
  schedule();
});

function schedule(): void {
  if (!frame) {
    frame = true;
    requestAnimationFrame(() => {
      frame = false;
      if (drawn !== state.version) {
        drawn = state.version;
        draw();
      }
    });
  }
}

// ---- theme: the editor's colours, read again when VS Code switches theme (the body's class changes)

function css(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

function palette() {
  return {
    fg: css('--vscode-editor-foreground', '#ccc'),
    grid: css('--vscode-editorWidget-border', 'rgba(128,128,128,0.3)'),
    train: css('--vscode-charts-blue', '#3794ff'),
    val: css('--vscode-charts-orange', '#d18616'),
    other: css('--vscode-charts-purple', '#b180d7'),
    earlier: [css('--vscode-charts-green', '#89d185'), css('--vscode-charts-purple', '#b180d7'), css('--vscode-charts-yellow', '#cca700'), css('--vscode-charts-red', '#f14c4c')],
  };
}

new MutationObserver(() => {
  for (const c of charts.values()) {
    c.destroy();
  }
  charts.clear();
  $('curves').replaceChildren();
  scatter?.destroy();
  scatter = undefined;
  state.version++;
  schedule();
}).observe(document.body, { attributes: true, attributeFilter: ['class'] });

// ---- drawing

function draw(): void {
  const status: Status = state.status;
  const statusEl = $('status');
  statusEl.textContent = status;
  statusEl.className = `status ${status}`;
  $<HTMLButtonElement>('stop').disabled = !(status === 'training' || status === 'starting');
  $('stats').textContent = state.statsText();
  drawProgress();
  drawError();
  drawCurves();
  drawResults();
}

function drawProgress(): void {
  const b = state.batch;
  const text = state.progressText();
  $('progress').hidden = !text;
  if (b && text) {
    $('progress-text').textContent = text;
    $('progress-fill').style.width = `${(100 * b.batch) / Math.max(1, b.batches)}%`;
  }
}

function drawError(): void {
  const box = $('error');
  const e = state.error;
  const failed = state.status === 'failed';
  box.hidden = !failed;
  if (!failed) {
    return;
  }
  box.replaceChildren();
  const head = document.createElement('div');
  head.textContent = e ? `error: ${e.message}` : `the run failed: ${state.endMessage ?? 'no message'}`;
  box.append(head);
  for (const d of e?.diagnostics ?? []) {
    const line = document.createElement('div');
    const a = document.createElement('a');
    a.href = '#';
    a.className = 'location';
    a.textContent = `${d.file}:${d.line}:${d.column}`;
    a.addEventListener('click', (ev) => {
      ev.preventDefault();
      vscode.postMessage({ type: 'openLocation', file: d.file, line: d.line, column: d.column });
    });
    line.append(a, document.createTextNode(`: ${d.severity ?? 'error'}${d.code ? `[${d.code}]` : ''}: ${d.message}`));
    box.append(line);
  }
}

function earlierRuns(): EarlierRun[] {
  return [...overlays.entries()].map(([name, rows]) => ({ name, rows }));
}

function drawCurves(): void {
  const p = palette();
  const names = [...overlays.keys()];
  const colour = (s: Series) =>
    s.run === undefined ? (s.split === 'train' ? p.train : s.split === 'val' ? p.val : p.other) : p.earlier[names.indexOf(s.run) % p.earlier.length];
  for (const c of state.charts(earlierRuns())) {
    const datasets = c.series.map((s) => ({
      label: s.label,
      data: s.points,
      borderColor: colour(s),
      backgroundColor: colour(s),
      borderWidth: s.run === undefined ? 2 : 1.5,
      borderDash: s.run === undefined ? [] : s.split === 'train' ? [6, 3] : [2, 2],
      pointRadius: s.run === undefined && s.points.length <= 60 ? 2 : 0,
      tension: 0,
    }));
    let chart = charts.get(c.id);
    if (!chart) {
      const box = document.createElement('div');
      box.className = 'chart';
      box.dataset.id = c.id;
      const h = document.createElement('h3');
      h.textContent = c.title;
      const holder = document.createElement('div');
      holder.className = 'canvas';
      const canvas = document.createElement('canvas');
      holder.append(canvas);
      box.append(h, holder);
      $('curves').append(box);
      chart = new Chart(canvas, {
        type: 'line',
        data: { datasets },
        options: {
          animation: false,
          responsive: true,
          maintainAspectRatio: false,
          parsing: false,
          normalized: true,
          interaction: { mode: 'nearest', intersect: false },
          scales: {
            x: { type: 'linear', title: { display: true, text: 'epoch', color: p.fg }, ticks: { color: p.fg, precision: 0 }, grid: { color: p.grid } },
            y: { type: 'linear', ticks: { color: p.fg }, grid: { color: p.grid } },
          },
          plugins: { legend: { labels: { color: p.fg, boxHeight: 2 } } },
        },
      });
      charts.set(c.id, chart);
    } else {
      chart.data.datasets = datasets;
      chart.update('none');
    }
    // for tests and screen readers: how many epochs this run's curves have
    const box = chart.canvas.closest('.chart') as HTMLElement;
    box.dataset.points = String(c.series.find((s) => s.run === undefined)?.points.length ?? 0);
    box.dataset.series = c.series.map((s) => s.label).join(', ');
  }
  $('compare').hidden = $('runs').childElementCount === 0;
}

function drawResults(): void {
  const r = state.results();
  const section = $('results');
  section.hidden = !r && !state.end;
  if (!state.end) {
    return;
  }
  $('results-title').textContent = r ? `Results on the ${r.split} split (n = ${r.test.n})` : 'Results';
  const metrics: Array<[string, string]> = [];
  if (r) {
    const t = r.test;
    if (t.accuracy !== undefined) {
      const ci = t.accuracy_ci95;
      metrics.push(['accuracy', `${percent(t.accuracy)} ± ${percent(t.accuracy_se)} (SE)`]);
      if (ci) {
        metrics.push(['95% interval', `${percent(ci[0])} … ${percent(ci[1])}`]);
      }
      metrics.push(['precision (macro)', fixed(t.precision, 3)], ['recall (macro)', fixed(t.recall, 3)], ['F1 (macro)', fixed(t.f1, 3)]);
    }
    if (t.mse !== undefined) {
      metrics.push(['MSE', fixed(t.mse, 4)], ['MAE', fixed(t.mae, 4)], ['R²', fixed(t.r2, 4)]);
    }
    metrics.push(['loss', fixed(t.loss, 4)]);
  }
  table($('metrics'), undefined, metrics.map(([k, v]) => [k, v]));
  const per = r?.test.per_class;
  $('per-class-box').hidden = !per;
  if (per) {
    table(
      $('per-class'),
      ['class', 'precision', 'recall', 'F1', 'support'],
      per.map((c) => [c.class, fixed(c.precision, 3), fixed(c.recall, 3), fixed(c.f1, 3), String(c.support)]),
    );
  }
  drawHeatmap();
  drawScatter();
}

function table(el: HTMLElement, head: string[] | undefined, rows: string[][]): void {
  el.replaceChildren();
  if (head) {
    const tr = document.createElement('tr');
    tr.className = 'head';
    for (const h of head) {
      const th = document.createElement('th');
      th.textContent = h;
      tr.append(th);
    }
    el.append(tr);
  }
  for (const row of rows) {
    const tr = document.createElement('tr');
    row.forEach((v, i) => {
      const td = document.createElement(i === 0 ? 'th' : 'td');
      td.textContent = v;
      tr.append(td);
    });
    el.append(tr);
  }
}

function drawHeatmap(): void {
  const h = state.heatmap();
  $('confusion-box').hidden = !h;
  if (!h) {
    return;
  }
  const el = $('confusion');
  el.replaceChildren();
  const head = document.createElement('tr');
  const corner = document.createElement('th');
  corner.textContent = 'true \\ predicted';
  head.append(corner);
  for (const c of h.classes) {
    const th = document.createElement('th');
    th.textContent = c;
    th.className = 'predicted';
    head.append(th);
  }
  el.append(head);
  h.cells.forEach((row, i) => {
    const tr = document.createElement('tr');
    const th = document.createElement('th');
    th.textContent = h.classes[i];
    tr.append(th);
    row.forEach((cell, j) => {
      const td = document.createElement('td');
      td.textContent = String(cell.count);
      td.title = `${cell.count} ${h.classes[i]} predicted as ${h.classes[j]} (${(100 * cell.share).toFixed(1)}% of ${h.classes[i]})`;
      const hue = i === j ? '--vscode-charts-blue' : '--vscode-charts-red';
      td.style.background = `color-mix(in srgb, var(${hue}) ${Math.round(100 * cell.share)}%, transparent)`;
      td.className = i === j ? 'diagonal' : '';
      tr.append(td);
    });
    el.append(tr);
  });
}

function drawScatter(): void {
  const pts = state.end?.points;
  $('scatter-box').hidden = !pts;
  if (!pts || scatter) {
    return;
  }
  const p = palette();
  const xs = pts.map(([t]) => t);
  const lo = Math.min(...xs, ...pts.map(([, y]) => y));
  const hi = Math.max(...xs, ...pts.map(([, y]) => y));
  scatter = new Chart($<HTMLCanvasElement>('scatter'), {
    type: 'scatter',
    data: {
      datasets: [
        { label: 'test samples', data: pts.map(([x, y]) => ({ x, y })), backgroundColor: p.train, pointRadius: 2 },
        { type: 'line', label: 'predicted = true', data: [{ x: lo, y: lo }, { x: hi, y: hi }], borderColor: p.val, borderDash: [4, 3], pointRadius: 0, borderWidth: 1 },
      ],
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      scales: {
        x: { type: 'linear', title: { display: true, text: 'true value', color: p.fg }, ticks: { color: p.fg }, grid: { color: p.grid } },
        y: { type: 'linear', title: { display: true, text: 'predicted', color: p.fg }, ticks: { color: p.fg }, grid: { color: p.grid } },
      },
      plugins: { legend: { labels: { color: p.fg } } },
    },
  });
  const of = state.end?.points_of;
  $('scatter-note').textContent = of && of > pts.length ? `${pts.length} of ${of} values shown` : '';
}

function showRuns(runs: Array<{ name: string; label: string }>): void {
  const list = $('runs');
  list.replaceChildren();
  for (const r of runs) {
    const label = document.createElement('label');
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.value = r.name;
    box.checked = overlays.has(r.name);
    box.addEventListener('change', () => {
      if (box.checked) {
        vscode.postMessage({ type: 'overlay', name: r.name });
      } else {
        overlays.delete(r.name);
        state.version++;
        schedule();
      }
    });
    label.append(box, document.createTextNode(` ${r.label}`));
    list.append(label);
  }
  $('compare').hidden = runs.length === 0;
}

$('stop').addEventListener('click', () => vscode.postMessage({ type: 'stop' }));
$('open-report').addEventListener('click', (e) => {
  e.preventDefault();
  vscode.postMessage({ type: 'openReport' });
});
$('open-folder').addEventListener('click', (e) => {
  e.preventDefault();
  vscode.postMessage({ type: 'openFolder' });
});
vscode.postMessage({ type: 'ready' });
