import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configWarnings, MIN_LOOKBACK_STEPS, staleAfterSeconds } from './check.js';
import { DEFAULT_CONFIG_YAML } from './default.js';
import { ConfigError, parseConfig } from './load.js';
import { promqlProblem } from './promql.js';

function problems(yaml: string): string[] {
  try {
    parseConfig(yaml, 'cfg.yml');
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

const one = (fields: string, query = 'up') => `series:\n  - {name: cpu, query: '${query}', ${fields}}\n`;
const warningsOf = (yaml: string) => configWarnings(parseConfig(yaml, 'cfg.yml'));
const repoFile = (path: string) => new URL(`../../../${path}`, import.meta.url);

describe('PromQL syntax at load time', () => {
  it('names the key path, the column and the query around the error', () => {
    const p = problems(`series:\n  - {name: ok, query: up}\n  - {name: bad, query: 'sum(rate(x[1m])'}\n`);
    expect(p).toEqual([
      'series[1].query: expected a PromQL expression; syntax error at column 16: the query ends early (an opening "(" is never closed) in `sum(rate(x[1m])`',
    ]);
  });

  it('explains unknown functions, stray tokens and multi-line positions', () => {
    expect(promqlProblem('foo(x)')).toBe(
      'expected a PromQL expression; syntax error at column 4: unknown function "foo" in `foo(x)`',
    );
    expect(promqlProblem('x ~ y')).toContain('column 3: unexpected `~ y`');
    expect(promqlProblem('sum by (instance) (\n  rate(x[5m])\n) +* 2')).toContain('line 3, column 4: unexpected `* 2`');
    expect(promqlProblem('   ')).toBe('expected a PromQL expression, got only white space');
    // a long query is quoted around the error, not in full
    const long = `sum(rate(http_requests_total{job="api"}[5m])) by (instance, job, ${'x'.repeat(80)}) )`;
    const problem = promqlProblem(long)!;
    expect(problem).toContain(`column ${long.lastIndexOf(')') + 1}: unexpected \`)\` in \`…`);
    expect(problem.slice(problem.indexOf(' in `'))).toHaveLength(' in ``…'.length + 60);
  });

  it('rejects expressions a range query cannot evaluate', () => {
    expect(promqlProblem('up[5m]')).toMatch(/got a range vector: `up\[5m\]`; wrap it in a function such as rate/);
    expect(promqlProblem('(rate(x[5m])[1h:1m])')).toContain('got a range vector');
    expect(promqlProblem('x[5m] offset 1h')).toContain('got a range vector');
    expect(promqlProblem('"text"')).toContain('got a string');
  });

  it('accepts the PromQL the project ships and tests with', () => {
    const queries = [
      'up',
      'q',
      'cpu_query',
      '1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[5s]))',
      'histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))',
      '{"foo.bar"="x"}',
      'rate(x[5m] offset 1h) @ end()',
      'max_over_time(rate(x[1m])[1h:5m])',
      'up # trailing comment',
    ];
    // every series query in the shipped configs and manifests, and the embedded default
    const shipped = [
      DEFAULT_CONFIG_YAML,
      ...readdirSync(repoFile('deploy/config')).map((f) => readFileSync(repoFile(`deploy/config/${f}`), 'utf8')),
      parse(readFileSync(repoFile('deploy/kubernetes/configmap.yaml'), 'utf8')).data['cloudpulse.yml'],
    ];
    for (const text of shipped) queries.push(...parse(text).series.map((s: { query: string }) => s.query));
    // `query:` lines of the configs shown in the README and the docs
    for (const doc of [
      'README.md',
      ...readdirSync(repoFile('docs'))
        .filter((f) => f.endsWith('.md'))
        .map((f) => `docs/${f}`),
    ]) {
      const text = readFileSync(repoFile(doc), 'utf8');
      queries.push(...[...text.matchAll(/^\s*(?:- )?query: ([^>|].*)$/gm)].map((m) => m[1]));
    }
    const values = parse(readFileSync(repoFile('deploy/helm/cloudpulse/values.yaml'), 'utf8'));
    queries.push(...values.config.series.map((s: { query: string }) => s.query));
    expect(queries.length).toBeGreaterThan(16);
    for (const q of queries) expect(promqlProblem(q), q).toBeUndefined();
  });

  it('can be turned off for servers that extend PromQL', () => {
    const series = one('step: 5m', 'WITH (x = up) x');
    const metricsql = `source:\n  prometheus: {url: 'http://vm:8428', query_syntax: unchecked}\n${series}`;
    expect(parseConfig(metricsql, 'cfg.yml').series[0].query).toBe('WITH (x = up) x');
    expect(problems(series)[0]).toMatch(/^series\[0\]\.query: expected a PromQL expression/);
  });
});

describe('step, lookback and horizons', () => {
  it('rejects a step longer than the lookback and a lookback of too few steps', () => {
    expect(problems(one('step: 1h, lookback: 30m, horizons: [1h]'))).toEqual([
      'series[0].lookback: expected a lookback longer than the step (1h), got 30m',
    ]);
    expect(problems(one('step: 5m, lookback: 1h, horizons: [5m]'))).toEqual([
      `series[0].lookback: expected at least ${MIN_LOOKBACK_STEPS} steps of history (2h at step 5m), got 1h (12 steps)`,
    ]);
    expect(parseConfig(one('step: 5m, lookback: 2h, horizons: [5m]'), 'cfg.yml').series[0].lookback).toBe(7200);
  });

  it('rejects horizons shorter than the step or between steps, naming the nearest valid ones', () => {
    expect(problems(one('step: 5m, horizons: [2s, 5m, 7m, 1h1s]'))).toEqual([
      'series[0].horizons[0]: expected at least one step (step is 5m), got 2s; nearest valid horizon: 5m',
      'series[0].horizons[2]: expected a whole number of steps (step is 5m), got 7m; nearest valid horizons: 5m or 10m',
      'series[0].horizons[3]: expected a whole number of steps (step is 5m), got 1h1s; nearest valid horizons: 1h or 1h5m',
    ]);
    // fractional steps: 90s steps reach 30m in 20 steps, 1h in 40
    expect(parseConfig(one('step: 90s, horizons: [90s, 30m, 1h]'), 'cfg.yml').series[0].horizons).toEqual([
      90, 1800, 3600,
    ]);
    expect(parseConfig(one('step: 1s, lookback: 2m, horizons: [5s, 30s]'), 'cfg.yml').series[0].step).toBe(1);
  });

  it('rejects duplicate horizons and levels, however they are written', () => {
    expect(problems(one('horizons: [5m, 1h, 60m], levels: [0.8, 0.95, 0.80]'))).toEqual([
      'series[0].horizons[2]: expected distinct horizons, 1h repeats horizons[1]',
      'series[0].levels[2]: expected distinct levels, 0.8 repeats levels[0]',
    ]);
  });

  it('reports every problem of every series at once', () => {
    const p = problems(
      `series:\n  - {name: a, query: 'up{', horizons: [1m]}\n  - {name: b, query: up, step: 1h, lookback: 1h, horizons: [1h, 1h]}\n`,
    );
    expect(p.map((x) => x.slice(0, x.indexOf(':')))).toEqual([
      'series[0].query',
      'series[0].horizons[0]',
      'series[1].lookback',
      'series[1].horizons[1]',
    ]);
  });
});

describe('warnings: accepted values that act differently from how they read', () => {
  it('has none for the shipped example, the manifests and the embedded default', () => {
    const manifest = parse(readFileSync(repoFile('deploy/kubernetes/configmap.yaml'), 'utf8')).data['cloudpulse.yml'];
    const example = readFileSync(repoFile('deploy/config/cloudpulse.example.yml'), 'utf8');
    for (const text of [DEFAULT_CONFIG_YAML, example, manifest]) expect(warningsOf(text)).toEqual([]);
  });

  it('explains a refit interval shorter than the schedule interval', () => {
    expect(warningsOf(`schedule: {interval: 5m}\n${one('refit_interval: 1m')}`)).toEqual([
      {
        path: 'series[0].refit_interval',
        message: '1m is shorter than schedule.interval (5m); fits start at most once a cycle, so "cpu" refits every 5m',
      },
    ]);
  });

  it('explains stale_after shorter than a step with the staleness actually applied', () => {
    expect(warningsOf(`limits: {stale_after: 15m}\n${one('step: 1h, lookback: 30d, horizons: [1h]')}`)).toEqual([
      {
        path: 'limits.stale_after',
        message:
          '15m is shorter than one step of "cpu" (series[0].step 1h); staleness is judged in steps, so its label sets leave /metrics after 2h1m unreturned (two steps and one schedule.interval)',
      },
    ]);
    expect(staleAfterSeconds(900, 3600, 60)).toBe(7260);
    expect(staleAfterSeconds(900, 300, 60)).toBe(900);
    expect(staleAfterSeconds(900, 900, 60)).toBe(1860);
  });

  it('warns when the longest horizon reaches past the lookback', () => {
    const w = warningsOf(`limits: {stale_after: 1h}\n${one('step: 1h, lookback: 2d, horizons: [1h, 30d]')}`);
    expect(w).toHaveLength(1);
    expect(w[0].path).toBe('series[0].horizons');
    expect(w[0].message).toMatch(
      /^the longest horizon \(30d\) reaches further ahead than series\[0\]\.lookback \(2d\)/,
    );
  });
});
