import { describe, expect, it } from 'vitest';
import { ConfigError, formatKeyPath, parseConfig } from './load.js';

const minimal = `
series:
  - name: cpu
    query: up
`;

function problems(yaml: string, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseConfig(yaml, 'cfg.yml', env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toContain('cfg.yml');
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('config', () => {
  it('fills defaults for a minimal file', () => {
    const c = parseConfig(minimal, 'cfg.yml');
    expect(c.series[0]).toMatchObject({
      step: 300,
      lookback: 604800,
      model: 'auto',
      horizons: [300, 900, 3600, 14400],
    });
    expect(c.series[0].levels).toEqual([0.8, 0.95]);
    expect(c.schedule.interval).toBe(60);
    expect(c.source.prometheus).toBeUndefined();
  });

  it('names the key path of a bad horizon and what was expected', () => {
    const p = problems(`
series:
  - {name: a, query: up}
  - {name: b, query: up}
  - {name: c, query: up, horizons: [5m, soon]}
`);
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(/^series\[2\]\.horizons\[1\]: expected a duration/);
    expect(p[0]).toContain('"soon"');
  });

  it('takes a simulated start as RFC 3339 and names the key otherwise', () => {
    const ok = parseConfig(
      `
source:
  simulation: {start: 2026-01-05T12:00:00Z}
series:
  - {name: a, query: up}
`,
      'cfg.yml',
    );
    expect(Date.parse(ok.source.simulation.start!)).toBe(Date.UTC(2026, 0, 5, 12));
    const p = problems(`
source:
  simulation: {start: 5 Jan 2026}
series:
  - {name: a, query: up}
`);
    expect(p).toEqual([expect.stringMatching(/^source\.simulation\.start: expected an RFC 3339 time/)]);
  });

  it('rejects unknown keys with their path', () => {
    const p = problems(`
source:
  prometheus:
    url: http://localhost:9090
    timout: 5s
series:
  - {name: a, query: up, modle: ets}
`);
    expect(p).toContain('source.prometheus.timout: unknown key (check spelling; see docs/configuration.md)');
    expect(p).toContain('series[0].modle: unknown key (check spelling; see docs/configuration.md)');
  });

  it('reports wrong types, bad levels and duplicate names', () => {
    expect(problems(`series: {name: a}`)[0]).toMatch(/^series: expected array/);
    expect(problems(`series: [{name: a, query: up, levels: [95]}]`)[0]).toMatch(
      /^series\[0\]\.levels\[0\]: expected a coverage level/,
    );
    expect(problems(`series: [{name: a, query: up}, {name: a, query: up}]`)[0]).toBe(
      'series[1].name: expected a unique name, "a" is used twice',
    );
  });

  it('reports YAML syntax errors with a line number', () => {
    expect(problems('series:\n  - name: a\n   query: [')[0]).toMatch(/^line \d+, column \d+: YAML syntax error/);
  });

  it('applies environment overrides from the original design', () => {
    const c = parseConfig(minimal, 'cfg.yml', {
      PROMETHEUS_URL: 'http://prom:9090',
      MODEL_SAVE_PATH: '/var/lib/cloudpulse',
      FORECAST_INTERVAL_MINUTES: '5',
    });
    expect(c.source.prometheus?.url).toBe('http://prom:9090');
    expect(c.storage.path).toBe('/var/lib/cloudpulse');
    expect(c.schedule.interval).toBe(300);
    expect(problems(minimal, { FORECAST_INTERVAL_MINUTES: 'often' })[0]).toMatch(/^FORECAST_INTERVAL_MINUTES/);
    expect(problems(minimal, { PROMETHEUS_URL: 'not a url' })[0]).toMatch(
      /^source\.prometheus\.url: expected an http\(s\) URL/,
    );
  });

  it('formats key paths like series[2].horizons[0]', () => {
    expect(formatKeyPath(['series', 2, 'horizons', 0])).toBe('series[2].horizons[0]');
    expect(formatKeyPath([])).toBe('(top level)');
  });

  it('accepts the shipped example and the embedded default', async () => {
    const { readFileSync } = await import('node:fs');
    const example = readFileSync(new URL('../../../deploy/config/cloudpulse.example.yml', import.meta.url), 'utf8');
    const c = parseConfig(example, 'cloudpulse.example.yml');
    expect(c.series.map((s) => s.name)).toEqual([
      'node_cpu_utilisation',
      'node_memory_utilisation',
      'node_network_receive_bytes',
    ]);
    expect(c.source.prometheus?.url).toBeDefined();
  });
});
