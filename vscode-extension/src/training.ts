// The training view's data: what `ann train --events json` streams (forwarded by the language server
// in the `ann` field of its work-done reports; docs/editors.md), folded into the state the panel
// draws: the curves per epoch, the batch progress, the test report, an error with its place.
// No `vscode` and no DOM here: the extension host, the webview and the unit tests share it.

/** A row of metrics.csv / an epoch event's metrics: epoch, lr, train_loss, val_accuracy, ... */
export type Row = Record<string, number | null>;

export interface StartEvent {
  event: 'start';
  train: string;
  network?: string;
  file?: string;
  profile?: string;
  task: 'classification' | 'binary' | 'regression';
  run_dir: string;
  epochs: number;
  batches: number;
  batch_size?: number;
  train_samples?: number;
  validation_samples?: number;
  test_samples?: number;
  metrics: string[];
  classes: string[];
  device?: string;
  seed?: number;
  parameters?: number;
  schedule?: string;
  optimizer?: string;
  history?: Row[];
}

export interface BatchEvent {
  event: 'batch';
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  samples?: number;
  loss: number | null;
  samples_per_s: number | null;
  lr: number | null;
  epoch_eta_s: number | null;
  elapsed_s: number | null;
  eta_s: number | null;
}

export interface EpochEvent {
  event: 'epoch';
  epochs: number;
  metrics: Row;
  line?: string;
  elapsed_s: number | null;
  eta_s: number | null;
}

export interface PerClass {
  class: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

/** The test (or validation) results in summary.json. */
export interface TestResults {
  n: number;
  loss?: number | null;
  accuracy?: number | null;
  accuracy_se?: number | null;
  accuracy_ci95?: [number | null, number | null];
  precision?: number | null;
  recall?: number | null;
  f1?: number | null;
  mse?: number | null;
  mae?: number | null;
  r2?: number | null;
  per_class?: PerClass[];
  confusion?: number[][];
}

export interface EndEvent {
  event: 'end';
  run_dir: string;
  report: string;
  summary: Record<string, unknown> & { evaluated_on?: string };
  points?: Array<[number, number]>;
  points_of?: number;
}

export interface InterruptedEvent {
  event: 'interrupted';
  epoch: number;
  batch: number;
  checkpoint: string;
  run_dir: string;
}

export interface Diagnostic {
  file: string;
  line: number;
  column: number;
  severity?: string;
  code?: string;
  message: string;
}

export interface ErrorEvent {
  event: 'error';
  message: string;
  exit_code: number;
  diagnostics: Diagnostic[];
}

export type TrainEvent = StartEvent | BatchEvent | EpochEvent | EndEvent | InterruptedEvent | ErrorEvent;

const KINDS = new Set(['start', 'batch', 'epoch', 'end', 'interrupted', 'error']);

/** The `ann` field of a work-done progress value, when it is an event of ann train. */
export function eventOf(progressValue: unknown): TrainEvent | undefined {
  const ann = (progressValue as { ann?: unknown } | undefined)?.ann;
  if (ann && typeof ann === 'object' && KINDS.has((ann as { event?: string }).event ?? '')) {
    return ann as TrainEvent;
  }
  return undefined;
}

export type Status = 'starting' | 'training' | 'done' | 'stopping' | 'stopped' | 'failed';

/** One line on a chart: a column of the rows, of this run or of an earlier one. */
export interface Series {
  /** e.g. `train_loss`; for an earlier run `train_loss · 20261202-003913` */
  label: string;
  key: string;
  split: 'train' | 'val' | 'other';
  /** undefined: the current run; else the earlier run's folder name */
  run?: string;
  points: Array<{ x: number; y: number }>;
}

export interface Chart {
  /** loss, accuracy, mae, lr, ... */
  id: string;
  title: string;
  series: Series[];
}

/** An earlier run of the same train block, from runs/<train>/<folder>/metrics.csv. */
export interface EarlierRun {
  name: string;
  rows: Row[];
}

/** The panel's whole state, folded from the events. */
export class TrainingState {
  status: Status = 'starting';
  start: StartEvent | undefined;
  rows: Row[] = [];
  batch: BatchEvent | undefined;
  lastEpoch: EpochEvent | undefined;
  end: EndEvent | undefined;
  interrupted: InterruptedEvent | undefined;
  error: ErrorEvent | undefined;
  /** What the server said when the progress ended (e.g. `failed (exit code 3)`). */
  endMessage: string | undefined;
  /** Events applied, for the view to know when to redraw. */
  version = 0;

  apply(e: TrainEvent): void {
    this.version++;
    switch (e.event) {
      case 'start':
        // a new run (or the next seed of `repeat`): the curves start again, with a resumed run's history
        this.start = e;
        this.rows = [...(e.history ?? [])];
        this.batch = undefined;
        this.lastEpoch = undefined;
        this.end = undefined;
        this.interrupted = undefined;
        this.error = undefined;
        this.status = 'training';
        break;
      case 'batch':
        this.batch = e;
        if (this.status === 'starting') {
          this.status = 'training';
        }
        break;
      case 'epoch': {
        const epoch = e.metrics.epoch;
        // an epoch seen again (a resumed run repeats nothing, but be safe) replaces its row
        this.rows = this.rows.filter((r) => r.epoch !== epoch);
        this.rows.push(e.metrics);
        this.rows.sort((a, b) => (a.epoch ?? 0) - (b.epoch ?? 0));
        this.lastEpoch = e;
        break;
      }
      case 'end':
        this.end = e;
        this.status = 'done';
        break;
      case 'interrupted':
        this.interrupted = e;
        this.status = 'stopped';
        break;
      case 'error':
        this.error = e;
        this.status = 'failed';
        break;
    }
  }

  /** The work-done progress ended; a run that sent no end, interrupted or error event failed or was stopped. */
  progressEnded(message: string | undefined, cancelled: boolean): void {
    this.version++;
    this.endMessage = message;
    if (this.status === 'starting' || this.status === 'training' || this.status === 'stopping') {
      this.status = cancelled || this.status === 'stopping' ? 'stopped' : /^done/.test(message ?? '') ? 'done' : 'failed';
    }
  }

  /** The quantities to draw: the loss, then each declared metric that the rows have, then the learning rate. */
  quantities(): string[] {
    const keys = new Set<string>();
    for (const r of this.rows) {
      Object.keys(r).forEach((k) => keys.add(k));
    }
    const has = (q: string) => keys.has(`train_${q}`) || keys.has(`val_${q}`);
    const declared = (this.start?.metrics ?? []).filter((m) => m !== 'loss');
    const out = ['loss'];
    for (const m of declared) {
      if (has(m) && !out.includes(m)) {
        out.push(m);
      }
    }
    if (declared.length === 0) {
      // nothing declared: whatever the rows carry besides the loss
      for (const k of keys) {
        const m = /^(?:train|val)_(.+)$/.exec(k)?.[1];
        if (m && !out.includes(m)) {
          out.push(m);
        }
      }
    }
    return out;
  }

  /** The charts: per quantity its train_ and val_ series, this run's and the chosen earlier runs'; then lr. */
  charts(earlier: EarlierRun[] = []): Chart[] {
    const charts: Chart[] = [];
    for (const q of this.quantities()) {
      const series: Series[] = [];
      for (const [rows, run] of [[this.rows, undefined] as const, ...earlier.map((r) => [r.rows, r.name] as const)]) {
        for (const split of ['train', 'val'] as const) {
          const key = `${split}_${q}`;
          const points = column(rows, key);
          if (points.length > 0 || (run === undefined && this.expects(key))) {
            series.push({ label: run ? `${key} · ${run}` : key, key, split, run, points });
          }
        }
      }
      charts.push({ id: q, title: q, series });
    }
    const lr = column(this.rows, 'lr');
    if (lr.length > 0) {
      charts.push({ id: 'lr', title: `learning rate${this.start?.schedule ? ` (${this.start.schedule})` : ''}`, series: [{ label: 'lr', key: 'lr', split: 'other', points: lr }] });
    }
    return charts;
  }

  /** Whether the run will have this column (so that its series shows in the legend before the first epoch). */
  private expects(key: string): boolean {
    if (key === 'train_loss') {
      return true;
    }
    return this.rows.length > 0 && key in this.rows[0];
  }

  /** Test results from the end event: the split they are on and its figures. */
  results(): { split: string; test: TestResults } | undefined {
    const s = this.end?.summary;
    if (!s) {
      return undefined;
    }
    const split = typeof s.evaluated_on === 'string' ? s.evaluated_on : 'test';
    const test = s[split] as TestResults | undefined;
    return test ? { split, test } : undefined;
  }

  /** The confusion matrix as heat-map cells: the share of the true class's row in each cell. */
  heatmap(): { classes: string[]; cells: Array<Array<{ count: number; share: number }>> } | undefined {
    const r = this.results();
    const cm = r?.test.confusion;
    if (!cm) {
      return undefined;
    }
    const classes = cm.map((_, i) => r.test.per_class?.[i]?.class ?? this.start?.classes[i] ?? String(i));
    const cells = cm.map((row) => {
      const total = row.reduce((a, b) => a + b, 0);
      return row.map((count) => ({ count, share: total > 0 ? count / total : 0 }));
    });
    return { classes, cells };
  }

  /** The batch progress line: the same figures as the terminal's progress bar. */
  progressText(): string | undefined {
    const b = this.batch;
    if (!b || this.status !== 'training') {
      return undefined;
    }
    const parts = [`epoch ${b.epoch}/${b.epochs}`, `batch ${b.batch}/${b.batches}`];
    if (b.loss !== null) {
      parts.push(`loss ${fixed(b.loss, 4)}`);
    }
    if (b.samples_per_s !== null) {
      parts.push(`${Math.round(b.samples_per_s).toLocaleString('en-US')} samples/s`);
    }
    if (b.epoch_eta_s !== null) {
      parts.push(`epoch ETA ${duration(b.epoch_eta_s)}`);
    }
    return parts.join(' · ');
  }

  /** The summary line: epoch, lr, samples/s, elapsed, ETA of the whole run. */
  statsText(): string {
    const parts: string[] = [];
    const e = this.lastEpoch;
    const b = this.batch;
    const epochs = this.start?.epochs ?? e?.epochs;
    const done = this.rows.length > 0 ? this.rows[this.rows.length - 1].epoch : undefined;
    if (done !== undefined && done !== null) {
      parts.push(`epoch ${done}/${epochs ?? '?'}`);
    }
    const lr = b?.lr ?? e?.metrics.lr ?? null;
    if (lr !== null && lr !== undefined) {
      parts.push(`lr ${lr.toPrecision(3)}`);
    }
    const sps = e?.metrics.samples_per_s ?? b?.samples_per_s ?? null;
    if (sps !== null && sps !== undefined) {
      parts.push(`${Math.round(sps).toLocaleString('en-US')} samples/s`);
    }
    const newer = b && e ? (b.elapsed_s ?? 0) >= (e.elapsed_s ?? 0) : !!b;
    const elapsed = newer ? b?.elapsed_s : e?.elapsed_s;
    const eta = newer ? b?.eta_s : e?.eta_s;
    if (elapsed !== null && elapsed !== undefined) {
      parts.push(`elapsed ${duration(elapsed)}`);
    }
    if (this.status === 'training' && eta !== null && eta !== undefined) {
      parts.push(`ETA ${duration(eta)}`);
    }
    return parts.join(' · ');
  }
}

function column(rows: Row[], key: string): Array<{ x: number; y: number }> {
  const out: Array<{ x: number; y: number }> = [];
  rows.forEach((r, i) => {
    const y = r[key];
    if (typeof y === 'number' && Number.isFinite(y)) {
      out.push({ x: typeof r.epoch === 'number' ? r.epoch : i + 1, y });
    }
  });
  return out;
}

/** metrics.csv of a run folder: a header, then one row per epoch; empty cells are null. */
export function parseMetricsCsv(text: string): Row[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length === 0) {
    return [];
  }
  const cols = lines[0].split(',').map((c) => c.trim());
  return lines.slice(1).map((line) => {
    const cells = line.split(',');
    const row: Row = {};
    cols.forEach((c, i) => {
      const v = cells[i]?.trim();
      row[c] = v === undefined || v === '' ? null : Number(v);
      if (row[c] !== null && !Number.isFinite(row[c] as number)) {
        row[c] = null;
      }
    });
    return row;
  });
}

/** `0:42`, `12:05`, `1:02:03`, as the terminal writes times. */
export function duration(seconds: number): string {
  const t = Math.max(0, Math.round(seconds));
  const two = (n: number) => String(n).padStart(2, '0');
  return t >= 3600 ? `${Math.floor(t / 3600)}:${two(Math.floor(t / 60) % 60)}:${two(t % 60)}` : `${Math.floor(t / 60)}:${two(t % 60)}`;
}

export function fixed(v: number | null | undefined, digits: number): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits);
}

export function percent(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '–' : `${(100 * v).toFixed(2)}%`;
}
