// The training view: a webview panel beside the editor, one per train block, that draws what
// `ann train --events json` streams (through the language server's progress reports). The
// drawing is in src/webview/main.ts (dist/panel.js, with Chart.js bundled: nothing is fetched);
// this side owns the panel, keeps the events for a webview that (re)loads, lists earlier runs and
// answers the panel's buttons (Stop, open report.md, the run folder, an error's place).
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { TrainEvent, TrainingState, parseMetricsCsv } from './training';

/** At most this many earlier runs are offered for comparison (the newest). */
const MAX_EARLIER_RUNS = 30;

export class TrainingPanel {
  private static readonly open = new Map<string, TrainingPanel>();

  private readonly panel: vscode.WebviewPanel;
  private state = new TrainingState();
  /** What a reloaded webview needs: the run's events, of the batch events only the last. */
  private events: TrainEvent[] = [];
  private ended: { message?: string; cancelled: boolean } | undefined;
  private ready = false;
  private disposed = false;
  /** Called by the Stop button: the same path as Cancel on the progress (SIGINT to ann train). */
  onStop: () => void = () => undefined;

  /** The panel of a train block: made, or revealed and reset for a new run. */
  static show(extensionUri: vscode.Uri, doc: vscode.Uri, train: string, profile: string | null, log: (m: string) => void): TrainingPanel {
    const key = `${doc.toString()}#${train}`;
    const title = `Training ${train}${profile ? ` (${profile})` : ''}`;
    let p = TrainingPanel.open.get(key);
    if (!p || p.disposed) {
      p = new TrainingPanel(extensionUri, doc, train, log);
      TrainingPanel.open.set(key, p);
    } else {
      p.panel.reveal(vscode.ViewColumn.Beside, true);
    }
    p.reset(title);
    return p;
  }

  private constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly doc: vscode.Uri,
    private readonly train: string,
    private readonly log: (m: string) => void,
  ) {
    const dist = vscode.Uri.joinPath(extensionUri, 'dist');
    this.panel = vscode.window.createWebviewPanel(
      'ann.training',
      `Training ${train}`,
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { enableScripts: true, localResourceRoots: [dist], retainContextWhenHidden: true },
    );
    this.panel.webview.html = this.html(this.panel.webview);
    this.panel.onDidDispose(() => {
      this.disposed = true;
    });
    this.panel.webview.onDidReceiveMessage((m: { type: string; [k: string]: unknown }) => {
      void this.onMessage(m).catch((e) => this.log(`training view: ${e instanceof Error ? e.message : String(e)}`));
    });
  }

  private reset(title: string): void {
    this.panel.title = title;
    this.state = new TrainingState();
    this.events = [];
    this.ended = undefined;
    this.post({ type: 'reset', title });
    this.listRuns();
  }

  /** An event of the run. */
  event(e: TrainEvent): void {
    if (this.disposed) {
      return;
    }
    this.state.apply(e);
    const last = this.events[this.events.length - 1];
    if (e.event === 'batch' && last?.event === 'batch') {
      this.events[this.events.length - 1] = e;
    } else {
      this.events.push(e);
    }
    this.post({ type: 'event', event: e });
    if (e.event === 'start' || e.event === 'end' || e.event === 'interrupted') {
      this.listRuns();
    }
  }

  /** The progress ended (the server's end message). */
  progressEnded(message: string | undefined, cancelled: boolean): void {
    this.ended = { message, cancelled };
    this.state.progressEnded(message, cancelled);
    this.post({ type: 'ended', message, cancelled });
  }

  private post(message: unknown): void {
    if (this.ready && !this.disposed) {
      void this.panel.webview.postMessage(message);
    }
  }

  /** The folder with this train block's runs: the run's parent, else runs/<train> next to the file. */
  private runsDir(): string {
    const run = this.state.start?.run_dir;
    return run ? path.dirname(run) : path.join(path.dirname(this.doc.fsPath), 'runs', this.train);
  }

  /** Earlier runs (folders with a metrics.csv), newest first, without the current one. */
  private listRuns(): void {
    const dir = this.runsDir();
    const current = this.state.start?.run_dir;
    let runs: Array<{ name: string; label: string }> = [];
    try {
      runs = fs
        .readdirSync(dir, { withFileTypes: true })
        .filter((d) => d.isDirectory() && path.join(dir, d.name) !== current && fs.existsSync(path.join(dir, d.name, 'metrics.csv')))
        .map((d) => d.name)
        .sort()
        .reverse()
        .slice(0, MAX_EARLIER_RUNS)
        .map((name) => ({ name, label: `${name}${describe(path.join(dir, name))}` }));
    } catch {
      // no runs yet
    }
    this.post({ type: 'runs', runs });
  }

  private async onMessage(m: { type: string; [k: string]: unknown }): Promise<void> {
    switch (m.type) {
      case 'ready':
        // a (re)loaded webview: everything so far
        this.ready = true;
        this.post({ type: 'reset', title: this.panel.title });
        for (const e of this.events) {
          this.post({ type: 'event', event: e });
        }
        if (this.ended) {
          this.post({ type: 'ended', ...this.ended });
        }
        this.listRuns();
        break;
      case 'stop':
        if (this.state.status === 'training' || this.state.status === 'starting') {
          this.log(`training view: Stop ${this.train}`);
          this.state.status = 'stopping';
          this.post({ type: 'stopping' });
          this.onStop();
        }
        break;
      case 'overlay': {
        const name = String(m.name);
        if (name.includes('/') || name.includes('\\') || name.startsWith('.')) {
          return; // only folder names from our own list
        }
        const text = fs.readFileSync(path.join(this.runsDir(), name, 'metrics.csv'), 'utf8');
        this.post({ type: 'overlay', name, rows: parseMetricsCsv(text) });
        break;
      }
      case 'openReport': {
        const report = this.state.end?.report;
        if (report) {
          await vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.file(report));
        }
        break;
      }
      case 'openFolder': {
        const dir = this.state.end?.run_dir ?? this.state.start?.run_dir;
        if (dir) {
          const uri = vscode.Uri.file(dir);
          if (vscode.workspace.getWorkspaceFolder(uri)) {
            await vscode.commands.executeCommand('revealInExplorer', uri);
          } else {
            await vscode.env.openExternal(uri);
          }
        }
        break;
      }
      case 'openLocation': {
        const file = String(m.file);
        const uri = vscode.Uri.file(path.isAbsolute(file) ? file : path.resolve(path.dirname(this.doc.fsPath), file));
        const pos = new vscode.Position(Math.max(0, Number(m.line) - 1), Math.max(0, Number(m.column) - 1));
        await vscode.window.showTextDocument(uri, { selection: new vscode.Range(pos, pos), viewColumn: vscode.ViewColumn.One });
        break;
      }
    }
  }

  private html(webview: vscode.Webview): string {
    const nonce = randomBytes(16).toString('base64');
    const script = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'panel.js'));
    const style = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'panel.css'));
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src ${webview.cspSource} data:; style-src ${webview.cspSource}; script-src 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style}">
<title>Training</title>
</head>
<body>
<main id="ann-training">
  <header>
    <h2 id="title">Training</h2>
    <span id="status" class="status starting">starting</span>
    <button id="stop" title="Stop the run as Ctrl-C does: ann train writes a checkpoint (continue with --resume)">Stop</button>
  </header>
  <div id="stats"></div>
  <div id="progress" hidden><div class="bar"><div id="progress-fill" class="fill"></div></div><span id="progress-text"></span></div>
  <div id="error" hidden></div>
  <section id="curves"></section>
  <section id="compare" hidden>
    <h3>Compare with earlier runs of this train block</h3>
    <div id="runs"></div>
  </section>
  <section id="results" hidden>
    <h2 id="results-title">Results</h2>
    <table id="metrics" class="table"></table>
    <div id="per-class-box" hidden><h3>Per class</h3><table id="per-class" class="table"></table></div>
    <div id="confusion-box" hidden><h3>Confusion matrix <span class="note">(rows: true class, columns: predicted)</span></h3><table id="confusion" class="heatmap"></table></div>
    <div id="scatter-box" hidden><h3>Predicted against true values <span id="scatter-note" class="note"></span></h3><div class="canvas square"><canvas id="scatter"></canvas></div></div>
    <p class="links"><a href="#" id="open-report">Open report.md</a> · <a href="#" id="open-folder">Show the run folder</a></p>
  </section>
</main>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
  }
}

/** ` · test accuracy 95.45% · 60 epochs` from a run folder's summary.json, or nothing. */
function describe(dir: string): string {
  try {
    const s = JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8')) as Record<string, unknown>;
    const split = typeof s.evaluated_on === 'string' ? s.evaluated_on : 'test';
    const t = (s[split] ?? {}) as Record<string, number>;
    const parts: string[] = [];
    if (typeof t.accuracy === 'number') {
      parts.push(`${split} accuracy ${(100 * t.accuracy).toFixed(2)}%`);
    } else if (typeof t.r2 === 'number') {
      parts.push(`${split} R² ${t.r2.toFixed(3)}`);
    }
    if (typeof s.epochs_run === 'number') {
      parts.push(`${s.epochs_run} epochs`);
    }
    if (typeof s.profile === 'string') {
      parts.push(`profile ${s.profile}`);
    }
    return parts.length ? ` · ${parts.join(' · ')}` : '';
  } catch {
    return ' · (no summary: stopped or running)';
  }
}
