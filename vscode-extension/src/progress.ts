// Reading the training progress the server reports, e.g.
// "epoch 3/12 · loss 0.412 · accuracy 0.881", for the status bar. No `vscode` import.

export interface TrainingProgress {
  epoch?: number;
  epochs?: number;
  loss?: string;
  /** Other `name value` pairs in the message, in order (accuracy, val_loss, ...). */
  metrics: Array<[string, string]>;
}

const NUMBER = String.raw`[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?%?|NaN|[-+]?Infinity`;

/** Parses a progress message; undefined when it says nothing about epochs or loss. */
export function parseProgress(message: string | undefined): TrainingProgress | undefined {
  if (!message) {
    return undefined;
  }
  const result: TrainingProgress = { metrics: [] };
  const epoch = /\bepoch\s+(\d+)\s*(?:\/\s*(\d+))?/i.exec(message);
  if (epoch) {
    result.epoch = Number(epoch[1]);
    if (epoch[2] !== undefined) {
      result.epochs = Number(epoch[2]);
    }
  }
  const pair = new RegExp(String.raw`\b([A-Za-z_][A-Za-z0-9_]*)\s*[:=]?\s+(${NUMBER})(?![\w/])`, 'g');
  for (const m of message.matchAll(pair)) {
    const name = m[1].toLowerCase();
    if (name === 'epoch') {
      continue;
    }
    result.metrics.push([name, m[2]]);
  }
  // the training loss: `loss`, else `train_loss` (never a validation loss)
  const loss = result.metrics.find(([n]) => n === 'loss') ?? result.metrics.find(([n]) => n === 'train_loss');
  if (loss) {
    result.loss = loss[1];
    result.metrics.splice(result.metrics.indexOf(loss), 1);
  }
  if (result.epoch === undefined && result.loss === undefined) {
    return undefined;
  }
  return result;
}

/** The status bar text while training: "epoch 3/12 · loss 0.412". */
export function statusText(p: TrainingProgress): string {
  const parts: string[] = [];
  if (p.epoch !== undefined) {
    parts.push(p.epochs !== undefined ? `epoch ${p.epoch}/${p.epochs}` : `epoch ${p.epoch}`);
  }
  if (p.loss !== undefined) {
    parts.push(`loss ${p.loss}`);
  }
  return parts.join(' · ');
}
