/** Anomaly events appended as JSON lines (one object per line), for audit and replay. */
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface AnomalyEvent {
  timestamp: string;
  series: string;
  labels: Record<string, string>;
  value: number;
  expected?: number;
  band?: [number, number];
  score: number;
  severity: string;
  model: string;
  detector: string;
}

export class AnomalyLog {
  private chain: Promise<void> = Promise.resolve();
  constructor(private readonly path: string) {}

  append(event: AnomalyEvent): void {
    // serialise writes so lines never interleave; a write error is reported, never thrown at a cycle
    this.chain = this.chain
      .then(() => mkdir(dirname(this.path), { recursive: true }))
      .then(() => appendFile(this.path, JSON.stringify(event) + '\n'))
      .catch(() => {});
  }

  flush(): Promise<void> {
    return this.chain;
  }
}
