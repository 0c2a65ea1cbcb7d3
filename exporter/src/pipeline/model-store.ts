/**
 * Fitted models on disk under --storage.path, so a restart does not refit everything at once.
 * One small JSON file per series, written atomically (write to a temp file, then rename).
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { SerializedModel } from '../models/types.js';

export interface StoredModel {
  key: string;
  /** the model name the config asked for (e.g. auto) */
  requested: string;
  state: SerializedModel;
  /** timestamp of the last point the model absorbed */
  modelT: number;
  /** clock time of the fit, unix seconds */
  fittedAt: number;
  /** the series' online band calibration when the model was saved */
  calibration?: unknown;
}

export class ModelStore {
  private readonly dir: string;

  constructor(root: string) {
    this.dir = join(root, 'models');
    mkdirSync(this.dir, { recursive: true });
  }

  private file(key: string): string {
    return join(this.dir, `${createHash('sha256').update(key).digest('hex').slice(0, 32)}.json`);
  }

  save(model: StoredModel): void {
    const target = this.file(model.key);
    const tmp = `${target}.tmp`;
    writeFileSync(tmp, JSON.stringify(model));
    renameSync(tmp, target);
  }

  /** the stored model of one series, if there is a readable one */
  load(key: string, onError: (file: string, err: Error) => void = () => {}): StoredModel | undefined {
    const file = this.file(key);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
    try {
      const m = JSON.parse(text) as StoredModel;
      return m.key === key && m.state ? m : undefined;
    } catch (err) {
      onError(file, err as Error);
      return undefined;
    }
  }

  /** every readable stored model, by series key; unreadable files are reported, not fatal */
  loadAll(onError: (file: string, err: Error) => void = () => {}): Map<string, StoredModel> {
    const out = new Map<string, StoredModel>();
    for (const name of readdirSync(this.dir)) {
      if (!name.endsWith('.json')) continue;
      try {
        const m = JSON.parse(readFileSync(join(this.dir, name), 'utf8')) as StoredModel;
        if (typeof m.key === 'string' && m.state) out.set(m.key, m);
      } catch (err) {
        onError(name, err as Error);
      }
    }
    return out;
  }

  /**
   * Removes stored models not written for `seconds`: they would be refitted anyway (stale), and
   * after a fleet is rescaled they belong to series another member owns now. Returns how many.
   */
  prune(seconds: number, nowMs = Date.now()): number {
    let removed = 0;
    for (const name of readdirSync(this.dir)) {
      const file = join(this.dir, name);
      try {
        if (nowMs - statSync(file).mtimeMs > seconds * 1000) {
          unlinkSync(file);
          removed++;
        }
      } catch {
        // gone meanwhile (another worker pruned it): nothing to do
      }
    }
    return removed;
  }
}
