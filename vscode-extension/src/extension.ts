// The ann extension: starts the language server (server/ann-lsp.jar) with a Java 17+,
// forwards the Train / Generate / Plan commands to it, and shows its state and the
// training progress in the status bar.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  ExecuteCommandRequest,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
  TransportKind,
  WorkDoneProgress,
  WorkDoneProgressCancelNotification,
  WorkDoneProgressCreateRequest,
} from 'vscode-languageclient/node';
import { findJava, systemLookupEnv } from './java';
import { archiveArgs, archivePath, serverArgs } from './cds';
import { TrainingPanel } from './panel';
import { parseProgress, statusText } from './progress';
import { eventOf } from './training';
import { SymbolLike, Targets, targetsFromSymbols, targetsFromText } from './symbols';
import { generatedFiles } from './generated';

/** Commands the server executes (workspace/executeCommand); its code lenses use them too. */
const SERVER_COMMANDS = ['ann.train', 'ann.generate', 'ann.plan', 'ann.export'] as const;
type ServerCommand = (typeof SERVER_COMMANDS)[number];
const PLAN_SCHEME = 'ann-plan';

let ext: AnnExtension | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  ext = new AnnExtension(context);
  await ext.start();
}

export async function deactivate(): Promise<void> {
  await ext?.stop();
  ext = undefined;
}

class AnnExtension {
  private readonly output: vscode.OutputChannel;
  private readonly status: vscode.StatusBarItem;
  private client: LanguageClient | undefined;
  /** Why the server is not running, when it is not. */
  private notRunning: string | undefined;
  /** Client-side handlers of server commands that the client library did not register. */
  private fallbackCommands: vscode.Disposable[] = [];
  private readonly plans = new Map<string, string>();
  private readonly planChanged = new vscode.EventEmitter<vscode.Uri>();
  private planCounter = 0;
  private readonly trainings = new Map<string, Training>();
  private serverState = 'starting';

  constructor(private readonly context: vscode.ExtensionContext) {
    this.output = vscode.window.createOutputChannel('ann');
    this.status = vscode.window.createStatusBarItem('ann.status', vscode.StatusBarAlignment.Left, 10);
    this.status.name = 'ann language server';
    this.status.command = 'ann.showOutput';
    context.subscriptions.push(this.output, this.status, this.planChanged);
    context.subscriptions.push(
      vscode.workspace.registerTextDocumentContentProvider(PLAN_SCHEME, {
        onDidChange: this.planChanged.event,
        provideTextDocumentContent: (uri) => this.plans.get(uri.toString()) ?? '',
      }),
      vscode.commands.registerCommand('ann.trainWithProfile', (uri?: unknown) => this.trainWithProfile(uri)),
      vscode.commands.registerCommand('ann.restartServer', () => this.restart()),
      vscode.commands.registerCommand('ann.showOutput', () => this.output.show(true)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('ann.java')) {
          this.log('Java settings changed: restarting the language server.');
          void this.restart();
        }
      }),
      { dispose: () => this.disposeFallbacks() },
    );
    this.setState('starting');
    this.status.show();
  }

  private log(line: string): void {
    this.output.appendLine(`[client ${new Date().toISOString().substring(11, 19)}] ${line}`);
  }

  private setState(state: 'starting' | 'ready' | 'stopped' | 'error', detail?: string): void {
    this.serverState = state;
    if (this.trainings.size > 0) {
      return; // the training text stays until the training ends
    }
    const icon = { starting: '$(sync~spin)', ready: '$(pass)', stopped: '$(circle-slash)', error: '$(error)' }[state];
    this.status.text = `${icon} ann`;
    this.status.tooltip = `ann language server: ${state}${detail ? ` — ${detail}` : ''}\nClick for its log.`;
    this.status.backgroundColor =
      state === 'error' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
  }

  async start(): Promise<void> {
    this.disposeFallbacks();
    this.setState('starting');
    const config = vscode.workspace.getConfiguration('ann');
    const jar = this.context.asAbsolutePath(path.join('server', 'ann-lsp.jar'));
    if (!fs.existsSync(jar)) {
      return this.failStart(`The language server ${jar} is missing from the extension; reinstall the .vsix.`);
    }
    const java = await findJava(systemLookupEnv(config.get<string>('java.home')));
    if (!java.ok) {
      for (const t of java.tried) {
        this.log(`Java lookup: ${t}`);
      }
      return this.failStart(java.message, true);
    }
    this.log(`Java ${java.version} from ${java.source}: ${java.executable}`);
    const annPath = config.get<string>('annPath') || undefined;
    this.log(`ann command line for Train / Generate / Show plan: ${annPath ?? '(server default: an ann launcher above the file, else ann on PATH)'}`);
    const jvmOptions = config.get<string[]>('java.options') ?? [];
    const archive = this.classArchive(java.executable, java.version, jar);
    const serverOptions: ServerOptions = {
      command: java.executable,
      args: serverArgs(jvmOptions, jar, archive),
      transport: TransportKind.stdio,
      options: { cwd: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [
        { scheme: 'file', language: 'ann' },
        { scheme: 'untitled', language: 'ann' },
      ],
      initializationOptions: { annPath },
      outputChannel: this.output,
      traceOutputChannel: this.output,
      // settings go to the server as workspace/didChangeConfiguration { ann: { annPath, ... } }
      synchronize: { configurationSection: 'ann', fileEvents: vscode.workspace.createFileSystemWatcher('**/*.ann') },
      middleware: {
        executeCommand: (command, args) => this.runServerCommand(command as ServerCommand, args),
      },
    };
    const client = new LanguageClient('ann', 'ann language server', serverOptions, clientOptions);
    this.client = client;
    client.onDidChangeState((e) => {
      if (e.newState === State.Running) {
        this.setState('ready');
      } else if (e.newState === State.Starting) {
        this.setState('starting');
      } else if (this.client === client) {
        this.setState('stopped');
      }
    });
    try {
      await client.start();
    } catch (e) {
      this.client = undefined;
      return this.failStart(`The ann language server did not start: ${e instanceof Error ? e.message : String(e)}`);
    }
    this.notRunning = undefined;
    // Progress the server starts itself (window/workDoneProgress/create): handled here, so that the
    // status bar can show the epoch and loss as well as the notification.
    client.onRequest(WorkDoneProgressCreateRequest.type, (params) => {
      this.watchProgress(client, params.token);
    });
    const advertised = client.initializeResult?.capabilities.executeCommandProvider?.commands ?? [];
    this.log(`server started; it executes: ${advertised.join(', ') || '(no commands)'}`);
    this.registerFallbacks(SERVER_COMMANDS.filter((c) => !advertised.includes(c)));
  }

  /**
   * The server's class-data archive for this Java and jar if it exists; else starts making it in
   * the background (used from the next start on) and returns undefined. See cds.ts.
   */
  private classArchive(javaExecutable: string, javaVersion: string, jar: string): string | undefined {
    try {
      const dir = this.context.globalStorageUri.fsPath;
      const archive = archivePath(dir, javaExecutable, javaVersion, fs.statSync(jar));
      if (fs.existsSync(archive)) {
        this.log(`class-data archive: ${archive}`);
        return archive;
      }
      fs.mkdirSync(dir, { recursive: true });
      const tmp = `${archive}.${process.pid}.tmp`;
      const child = spawn(javaExecutable, archiveArgs(jar, tmp), { stdio: 'ignore', cwd: dir });
      child.on('error', () => fs.rmSync(tmp, { force: true }));
      child.on('exit', (code) => {
        try {
          if (code === 0 && fs.existsSync(tmp)) {
            fs.renameSync(tmp, archive);
            this.log(`made the class-data archive ${archive}; the server uses it from its next start`);
          } else {
            fs.rmSync(tmp, { force: true });
          }
        } catch {
          // a later start tries again
        }
      });
    } catch (e) {
      this.log(`no class-data archive: ${e instanceof Error ? e.message : String(e)}`);
    }
    return undefined;
  }

  private failStart(message: string, javaProblem = false): void {
    this.notRunning = message;
    this.log(message);
    this.setState('error', message);
    this.registerFallbacks([...SERVER_COMMANDS]);
    const actions = javaProblem ? ['Open Settings', 'Show Log'] : ['Show Log'];
    void vscode.window.showErrorMessage(message, ...actions).then((choice) => {
      if (choice === 'Open Settings') {
        void vscode.commands.executeCommand('workbench.action.openSettings', 'ann.java');
      } else if (choice === 'Show Log') {
        this.output.show(true);
      }
    });
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.disposeFallbacks();
    if (client) {
      try {
        await client.stop(5000);
      } catch (e) {
        this.log(`stopping the server: ${e instanceof Error ? e.message : String(e)}`);
      }
      try {
        await client.dispose();
      } catch {
        // already stopped
      }
    }
  }

  async restart(): Promise<void> {
    this.log('restarting the language server');
    await this.stop();
    await this.start();
  }

  /** The server commands the client library did not register (server not running or not advertising them). */
  private registerFallbacks(commands: readonly ServerCommand[]): void {
    for (const command of commands) {
      this.fallbackCommands.push(
        vscode.commands.registerCommand(command, (...args: unknown[]) => this.runServerCommand(command, args)),
      );
    }
  }

  private disposeFallbacks(): void {
    for (const d of this.fallbackCommands) {
      d.dispose();
    }
    this.fallbackCommands = [];
  }

  // ---- commands ------------------------------------------------------------------------------

  /** ann.train / ann.generate / ann.plan, from the palette (no arguments) or a code lens (all arguments). */
  private async runServerCommand(command: ServerCommand, args: unknown[]): Promise<unknown> {
    try {
      switch (command) {
        case 'ann.train':
          return await this.train(args);
        case 'ann.generate':
          return await this.generate(args);
        case 'ann.plan':
          return await this.plan(args);
        case 'ann.export':
          return await this.exportOnnx(args);
        default:
          return await this.execute(command, args);
      }
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      this.log(`${command} failed: ${message}`);
      void vscode.window.showErrorMessage(`ann: ${message}`);
      return undefined;
    }
  }

  private requireClient(): LanguageClient {
    if (!this.client || !this.client.isRunning()) {
      throw new Error(this.notRunning ?? 'the language server is not running; run "ann: Restart language server".');
    }
    return this.client;
  }

  private execute(command: string, args: unknown[], workDoneToken?: string): Promise<unknown> {
    return this.requireClient().sendRequest(ExecuteCommandRequest.type, { command, arguments: args, workDoneToken });
  }

  /** The .ann document a command is about: its first argument, else the active editor. */
  private async document(arg: unknown): Promise<vscode.TextDocument> {
    if (typeof arg === 'string' && arg) {
      return vscode.workspace.openTextDocument(vscode.Uri.parse(arg));
    }
    if (arg instanceof vscode.Uri) {
      return vscode.workspace.openTextDocument(arg);
    }
    const editor = vscode.window.activeTextEditor;
    if (editor && editor.document.languageId === 'ann') {
      return editor.document;
    }
    throw new Error('open an .ann file first.');
  }

  private async targets(doc: vscode.TextDocument): Promise<Targets> {
    try {
      const symbols = await vscode.commands.executeCommand<SymbolLike[] | undefined>(
        'vscode.executeDocumentSymbolProvider',
        doc.uri,
      );
      const fromServer = targetsFromSymbols(symbols);
      if (fromServer.trains.length > 0) {
        return fromServer;
      }
    } catch (e) {
      this.log(`document symbols: ${e instanceof Error ? e.message : String(e)}`);
    }
    return targetsFromText(doc.getText());
  }

  private async pickTrain(doc: vscode.TextDocument, given: unknown, targets?: Targets): Promise<string | undefined> {
    if (typeof given === 'string' && given) {
      return given;
    }
    const { trains } = targets ?? (await this.targets(doc));
    if (trains.length === 0) {
      throw new Error(`${path.basename(doc.uri.fsPath)} has no train block (train <Network> on <Dataset> { ... }).`);
    }
    if (trains.length === 1) {
      return trains[0];
    }
    return vscode.window.showQuickPick(trains, { title: 'ann: which train block?' });
  }

  private async train(args: unknown[]): Promise<unknown> {
    const doc = await this.document(args[0]);
    const trainName = await this.pickTrain(doc, args[1]);
    if (!trainName) {
      return undefined;
    }
    const profile = typeof args[2] === 'string' && args[2] ? args[2] : null;
    if (doc.isDirty) {
      await doc.save(); // training reads the files from disk
    }
    const token = `ann-train-${Date.now()}`;
    const client = this.requireClient();
    // the training view beside the editor: curves, batch progress, the test report (src/panel.ts)
    const panel = TrainingPanel.show(this.context.extensionUri, doc.uri, trainName, profile, (m) => this.log(m));
    const watch = this.watchProgress(client, token, `Training ${trainName}${profile ? ` (profile ${profile})` : ''}`, panel);
    this.log(`train ${trainName}${profile ? ` --profile ${profile}` : ''} (${doc.uri.toString()})`);
    try {
      return await this.execute('ann.train', [doc.uri.toString(), trainName, profile], token);
    } finally {
      watch.serverAnswered();
    }
  }

  private async trainWithProfile(uri?: unknown): Promise<unknown> {
    try {
      const doc = await this.document(uri);
      const targets = await this.targets(doc);
      const trainName = await this.pickTrain(doc, undefined, targets);
      if (!trainName) {
        return undefined;
      }
      if (targets.profiles.length === 0) {
        throw new Error(`${path.basename(doc.uri.fsPath)} has no profile (profile <name> { ... }).`);
      }
      const profile = await vscode.window.showQuickPick(targets.profiles, {
        title: `ann: train ${trainName} with which profile?`,
      });
      if (!profile) {
        return undefined;
      }
      return await vscode.commands.executeCommand('ann.train', doc.uri.toString(), trainName, profile);
    } catch (e) {
      void vscode.window.showErrorMessage(`ann: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
  }

  private async generate(args: unknown[]): Promise<unknown> {
    const doc = await this.document(args[0]);
    const trainName = await this.pickTrain(doc, args[1]);
    if (!trainName) {
      return undefined;
    }
    let outDir = typeof args[2] === 'string' && args[2] ? args[2] : undefined;
    if (!outDir) {
      // `ann generate` needs --out: ask, with the file's folder + generated/ as the answer to accept
      const base = path.dirname(doc.uri.fsPath);
      const answer = await vscode.window.showInputBox({
        title: `ann: generate a Java trainer for ${trainName}`,
        prompt: 'Folder for the generated Java source (relative to the .ann file\'s folder)',
        value: path.join(base, 'generated'),
        ignoreFocusOut: true,
      });
      if (!answer?.trim()) {
        return undefined;
      }
      outDir = path.resolve(base, answer.trim());
    }
    if (doc.isDirty) {
      await doc.save();
    }
    const result = await this.execute('ann.generate', [doc.uri.toString(), trainName, outDir]);
    const files = generatedFiles(result);
    this.log(`generate ${trainName}: ${files.map((f) => f.path).join(', ') || 'no files'}`);
    if (files.length === 0) {
      void vscode.window.showWarningMessage(`ann: generating a trainer for ${trainName} wrote no files.`);
      return result;
    }
    const choice = await vscode.window.showInformationMessage(
      `ann: generated ${files.length} file${files.length === 1 ? '' : 's'} for ${trainName}: ${files.map((f) => path.basename(f.path)).join(', ')}`,
      'Open',
    );
    if (choice === 'Open') {
      await vscode.window.showTextDocument(vscode.Uri.parse(files[0].uri));
    }
    return result;
  }

  /** ann.export: the latest run's checkpoint (or the one given) as model.onnx beside it. */
  private async exportOnnx(args: unknown[]): Promise<unknown> {
    const doc = await this.document(args[0]);
    const trainName = await this.pickTrain(doc, args[1]);
    if (!trainName) {
      return undefined;
    }
    if (doc.isDirty) {
      await doc.save();
    }
    const checkpoint = typeof args[2] === 'string' && args[2] ? args[2] : null;
    const result = (await this.execute('ann.export', [doc.uri.toString(), trainName, checkpoint])) as
      | { file?: string }
      | undefined;
    if (result?.file) {
      this.log(`export ${trainName}: ${result.file}`);
      void vscode.window.showInformationMessage(`ann: exported ${trainName} to ${result.file}`);
    }
    return result;
  }

  private async plan(args: unknown[]): Promise<unknown> {
    const doc = await this.document(args[0]);
    const trainName = typeof args[1] === 'string' && args[1] ? args[1] : null;
    const profile = typeof args[2] === 'string' && args[2] ? args[2] : null;
    if (doc.isDirty) {
      await doc.save(); // the plan is computed from the files on disk
    }
    const table = await this.execute('ann.plan', [doc.uri.toString(), trainName, profile]);
    const text = typeof table === 'string' ? table : JSON.stringify(table, null, 2);
    const base = path.basename(doc.uri.path);
    const uri = vscode.Uri.from({
      scheme: PLAN_SCHEME,
      path: `/${base} plan${trainName ? ` ${trainName}` : ''}${profile ? ` (${profile})` : ''}`,
      query: String(++this.planCounter),
    });
    this.plans.set(uri.toString(), text);
    const planDoc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(planDoc, { preview: false, viewColumn: vscode.ViewColumn.Beside });
    return table;
  }

  // ---- progress ------------------------------------------------------------------------------

  /** Shows a progress token's reports in a notification (cancellable) and, for training, in the status bar. */
  private watchProgress(
    client: LanguageClient,
    token: string | number,
    title?: string,
    panel?: TrainingPanel,
  ): { serverAnswered(): void } {
    const key = String(token);
    const existing = this.trainings.get(key);
    if (existing) {
      return existing;
    }
    const training = new Training(key, title);
    this.trainings.set(key, training);
    if (panel) {
      panel.onStop = () => training.onCancel();
    }
    const sub = client.onProgress(WorkDoneProgress.type, token, (value) => {
      // ann train's events ride in the reports' `ann` field (docs/editors.md)
      const event = eventOf(value);
      if (event) {
        panel?.event(event);
      }
      if (value.kind === 'end') {
        panel?.progressEnded(value.message, training.cancelRequested);
      }
      if (value.kind === 'begin') {
        training.begin(value.title, value.message, value.percentage, value.cancellable ?? true);
      } else if (value.kind === 'report') {
        training.report(value.message, value.percentage);
      } else {
        training.end(value.message);
      }
      this.updateTrainingStatus();
    });
    training.onDone = (message) => {
      sub.dispose();
      this.trainings.delete(key);
      if (message) {
        this.log(`${training.title ?? 'progress'}: ${message}`);
      }
      this.setState(this.serverState as 'ready');
      this.updateTrainingStatus();
    };
    training.onCancel = () => {
      training.cancelRequested = true;
      this.log(`cancelling ${training.title ?? key}`);
      void client.sendNotification(WorkDoneProgressCancelNotification.type, { token });
    };
    return training;
  }

  private updateTrainingStatus(): void {
    const running = [...this.trainings.values()].filter((t) => t.started);
    if (running.length === 0) {
      return;
    }
    const t = running[running.length - 1];
    const progress = parseProgress(t.message);
    this.status.text = `$(sync~spin) ann: ${progress ? statusText(progress) : (t.title ?? 'working')}`;
    this.status.tooltip = `${t.title ?? 'ann'}${t.message ? `\n${t.message}` : ''}\nClick for the log.`;
    this.status.backgroundColor = undefined;
  }
}

/** One progress token: a VS Code progress notification plus the last message. */
class Training {
  started = false;
  cancelRequested = false;
  message: string | undefined;
  onDone: (message?: string) => void = () => undefined;
  onCancel: () => void = () => undefined;
  private progress: vscode.Progress<{ message?: string; increment?: number }> | undefined;
  private finish: (() => void) | undefined;
  private lastPercentage = 0;
  private ended = false;

  constructor(readonly key: string, public title: string | undefined) {}

  begin(title: string, message: string | undefined, percentage: number | undefined, cancellable: boolean): void {
    if (this.started || this.ended) {
      return;
    }
    this.started = true;
    this.title = this.title ?? title;
    this.message = message;
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `ann: ${title}`, cancellable },
      (progress, cancel) => {
        this.progress = progress;
        cancel.onCancellationRequested(() => this.onCancel());
        this.report(message, percentage);
        return new Promise<void>((resolve) => {
          this.finish = resolve;
          if (this.ended) {
            resolve();
          }
        });
      },
    );
  }

  report(message: string | undefined, percentage: number | undefined): void {
    if (message !== undefined) {
      this.message = message;
    }
    let increment: number | undefined;
    if (percentage !== undefined && percentage > this.lastPercentage) {
      increment = percentage - this.lastPercentage;
      this.lastPercentage = percentage;
    }
    this.progress?.report({ message: this.message, increment });
  }

  end(message: string | undefined): void {
    if (this.ended) {
      return;
    }
    this.ended = true;
    this.finish?.();
    if (message) {
      void vscode.window.showInformationMessage(`ann: ${this.title ?? 'done'}: ${message}`);
    }
    this.onDone(message);
  }

  /**
   * The executeCommand request returned. A client token is only valid while its request runs, so it
   * ends here (a server that answers at once reports on a token of its own, created by the server).
   */
  serverAnswered(): void {
    if (!this.started && !this.ended) {
      this.ended = true;
      this.onDone();
    } else if (!this.ended) {
      this.end(undefined);
    }
  }
}
