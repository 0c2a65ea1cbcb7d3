import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../config/load.js';
import type { AnomalyEventsResponse } from '../../view/series-api.js';
import { testApp } from '../../../test/fixtures/test-app.js';
import { eventsOf, readLogTail } from './anomaly-events.js';

const CONFIG = `
source: {simulation: {instances: 2, seed: 5, history: 3d, anomalies: false}}
series:
  - {name: cpu, query: q, simulate: cpu, lookback: 3d, horizons: [15m, 1h]}
  - {name: mem, query: q, simulate: memory, model: ets, lookback: 3d, horizons: [15m]}
`;

const event = (series: string, instance: string, timestamp: string, severity: string) =>
  JSON.stringify({
    timestamp,
    series,
    labels: { instance, job: 'node' },
    value: 0.9,
    expected: 0.4,
    band: [0.3, 0.5],
    score: 0.99,
    severity,
    model: 'auto',
    detector: 'residual_contextual',
  });

describe('GET /api/v1/series/:id/events', () => {
  it("lists the series' events of the anomaly log, oldest first, and says when there is no log", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cloudpulse-events-'));
    const log = join(dir, 'anomalies.jsonl');
    writeFileSync(
      log,
      [
        event('cpu', 'sim-0:9100', '2026-11-01T02:00:00.000Z', 'high'),
        event('cpu', 'sim-1:9100', '2026-11-01T01:00:00.000Z', 'low'),
        'not json {"cpu"',
        event('mem', 'sim-0:9100', '2026-11-01T01:30:00.000Z', 'medium'),
        event('cpu', 'sim-0:9100', '2026-11-01T01:00:00.000Z', 'critical'),
      ].join('\n') + '\n',
    );
    const { app, pipeline } = await testApp(parseConfig(CONFIG, 't.yml'), { anomalyLogPath: log });
    try {
      await pipeline.runCycle();
      await pipeline.whenIdle();
      const key = 'cpu{instance="sim-0:9100",job="node"}';
      expect(pipeline.store.get(key)).toBeDefined();
      const body = (await app.inject(`/api/v1/series/${encodeURIComponent(key)}/events`)).json<AnomalyEventsResponse>();
      expect(body.logged).toBe(true);
      expect(body.truncated).toBe(false);
      expect(body.events.map((e) => [e.t, e.severity])).toEqual([
        [Date.parse('2026-11-01T01:00:00Z') / 1000, 'critical'],
        [Date.parse('2026-11-01T02:00:00Z') / 1000, 'high'],
      ]);
      expect(body.events[0]).toMatchObject({
        value: 0.9,
        expected: 0.4,
        band: [0.3, 0.5],
        score: 0.99,
        detector: 'residual_contextual',
      });
      const limited = (
        await app.inject(`/api/v1/series/${encodeURIComponent(key)}/events?limit=1`)
      ).json<AnomalyEventsResponse>();
      expect(limited.events.map((e) => e.severity)).toEqual(['high']);
      expect(limited.truncated).toBe(true);
      expect((await app.inject(`/api/v1/series/${encodeURIComponent(key)}/events?limit=0`)).statusCode).toBe(400);
      expect((await app.inject('/api/v1/series/nope%7B%7D/events')).statusCode).toBe(404);
    } finally {
      await app.close();
    }
    const unlogged = await testApp(parseConfig(CONFIG, 't.yml'));
    try {
      await unlogged.pipeline.runCycle();
      const key = encodeURIComponent([...unlogged.pipeline.store.records()][0].key);
      expect((await unlogged.app.inject(`/api/v1/series/${key}/events`)).json()).toEqual({
        logged: false,
        events: [],
        truncated: false,
      });
    } finally {
      await unlogged.app.close();
    }
  });

  it('reads only the end of a long log, dropping the line cut in two', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cloudpulse-events-'));
    const log = join(dir, 'a.jsonl');
    const lines = Array.from({ length: 100 }, (_, i) =>
      event('cpu', 'a', new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(), 'low'),
    );
    writeFileSync(log, lines.join('\n') + '\n');
    const tail = await readLogTail(log, 10 * (lines[0].length + 1) + 5);
    expect(tail.cut).toBe(true);
    expect(tail.lines).toEqual(lines.slice(-10));
    expect(eventsOf(tail.lines, 'cpu{instance="a",job="node"}', 'cpu')).toHaveLength(10);
    expect(await readLogTail(join(dir, 'missing.jsonl'))).toEqual({ lines: [], cut: false });
  });
});
