/**
 * The built panel plugin (grafana-plugin/dist/module.js) in Debian's Chromium, loaded as Grafana
 * loads it: SystemJS with its AMD extra, React, the JSX runtime and the real @grafana/* packages
 * registered by the host page (test/fixtures/panel-harness/host.ts). The host is built twice, on
 * React 18 (Grafana 12.3 to 13.1) and on React 19 (Grafana 13.2 on), and both must draw the same
 * picture. Frames were recorded from a real exporter scraped by a real HA pair of Prometheus
 * servers. Asserts on drawn geometry; screenshots go to test-results/.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boxWithin, collectErrors, launchChromium } from './fixtures/chromium.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RESULTS = join(ROOT, 'test-results');
const FIXTURE = join(ROOT, 'test/fixtures/panel-frames.json');
const HARNESS = join(ROOT, 'test/fixtures/panel-harness');
const DASHBOARD = join(ROOT, 'grafana-plugin/provisioning/dashboards/cloudpulse-forecast-panel.json');

/** Where each host's React is resolved from: the harness's own React 18, the React 19 the plugin is built with. */
const REACT_FROM = { '18': HARNESS, '19': join(ROOT, 'grafana-plugin') };
type ReactMajor = keyof typeof REACT_FROM;
const MAJORS = Object.keys(REACT_FROM) as ReactMajor[];

interface FrameDTO {
  refId: string;
  fields: [{ values: number[] }, { values: number[]; labels: Record<string, string> }];
}
const fixture = JSON.parse(readFileSync(FIXTURE, 'utf8')) as {
  range: { from: number; to: number };
  frames: FrameDTO[];
  federated: FrameDTO[];
};

/** The recorded series of one metric for instance sim-0, as [time s, value] pairs. */
function recorded(metric: string, extra: Record<string, string> = {}): Array<[number, number]> {
  const frame = fixture.frames.find((f) => {
    const l = f.fields[1].labels;
    return (
      l.__name__ === metric &&
      l.exported_instance === 'sim-0:9100' &&
      Object.entries(extra).every(([k, v]) => l[k] === v)
    );
  });
  if (!frame) throw new Error(`fixture has no ${metric} ${JSON.stringify(extra)} for sim-0`);
  return frame.fields[0].values.map((ms, i) => [ms / 1000, frame.fields[1].values[i]]);
}

// The oracle, from the recorded frames: each scraped value belongs to the sample time the exporter
// reported at that scrape.
const sampleTimeAt = new Map(recorded('cloudpulse_last_sample_timestamp_seconds'));
const issued = (metric: string, extra?: Record<string, string>) =>
  recorded(metric, extra)
    .map(([t, v]) => [sampleTimeAt.get(t)!, v] as const)
    .filter(([t]) => t !== undefined);
const lastSample = Math.max(...sampleTimeAt.values());
const bandIssues = issued('cloudpulse_forecast_lower', { horizon: '5m', level: '0.95' }).map(([t]) => t);
const anomalyTimes = [
  ...new Set(
    issued('cloudpulse_anomaly_severity')
      .filter(([, v]) => v > 0)
      .map(([t]) => t),
  ),
].sort((a, b) => a - b);

/**
 * The replica the panel should draw the federated frames from (docs/plugin.md): the one whose data
 * reaches furthest, then the one with more samples, then the smaller name.
 */
function preferredReplica(): string {
  const reach = new Map<string, { newest: number; count: number }>();
  for (const frame of fixture.federated) {
    const replica = frame.fields[1].labels.replica;
    const r = reach.get(replica) ?? { newest: -Infinity, count: 0 };
    frame.fields[1].values.forEach((v, i) => {
      if (!Number.isFinite(v)) return;
      r.count++;
      r.newest = Math.max(r.newest, frame.fields[0].values[i]);
    });
    reach.set(replica, r);
  }
  const [best] = [...reach].sort(
    ([a, ra], [b, rb]) => rb.newest - ra.newest || rb.count - ra.count || (a < b ? -1 : 1),
  );
  return best[0];
}

/** Resolves react, react-dom and their subpaths (jsx-runtime, client), wherever imported, to one React installation. */
function reactFrom(major: ReactMajor): Plugin {
  return {
    name: `react-${major}`,
    setup(b) {
      b.onResolve({ filter: /^react(-dom)?(\/.*)?$/ }, async (args) => {
        if (args.pluginData === 'resolving') return undefined;
        const { path, errors } = await b.resolve(args.path, {
          kind: args.kind,
          resolveDir: REACT_FROM[major],
          pluginData: 'resolving',
        });
        return errors.length ? { errors } : { path };
      });
    },
  };
}

async function buildHost(major: ReactMajor): Promise<Uint8Array> {
  const host = await build({
    entryPoints: [join(HARNESS, 'host.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    jsx: 'automatic',
    minify: true,
    plugins: [reactFrom(major)],
    // as in Grafana's webpack build, the host's own UMD packages (lodash) must not see SystemJS' AMD define
    define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis', define: 'undefined' },
    loader: { '.svg': 'text', '.css': 'empty', '.woff2': 'empty' },
    logLevel: 'error',
    // what Grafana's index.html sets before its scripts run; @grafana/runtime reads it on import
    banner: { js: 'window.grafanaBootData = { settings: {}, user: {}, navTree: [] };' },
  });
  return host.outputFiles[0].contents;
}

let browser: Browser;
let server: Server;
let base: string;

beforeAll(async () => {
  mkdirSync(RESULTS, { recursive: true });
  execFileSync('npm', ['run', 'build', '-w', 'grafana-plugin'], {
    cwd: ROOT,
    stdio: 'pipe',
    env: { ...process.env, NODE_ENV: 'production' },
  });
  const hosts = { '18': await buildHost('18'), '19': await buildHost('19') };
  const systemjs = join(createRequire(join(HARNESS, 'package.json')).resolve('systemjs/package.json'), '../dist');
  const types: Record<string, string> = {
    '.svg': 'image/svg+xml',
    '.js': 'text/javascript',
    '.json': 'application/json',
    '.map': 'application/json',
  };
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname;
    const send = (body: string | Uint8Array, type: string) => res.writeHead(200, { 'content-type': type }).end(body);
    if (path === '/') {
      // Grafana's loader: SystemJS, its AMD extra (plugins are AMD modules) and named registers
      const react = url.searchParams.get('react') === '18' ? '18' : '19';
      const scripts = ['/systemjs/system.js', '/systemjs/extras/amd.js', '/systemjs/extras/named-register.js'];
      const tags = [...scripts, `/host-${react}.js`].map((src) => `<script src="${src}"></script>`).join('');
      return send(`<!doctype html><meta charset="utf-8"><body><div id="root"></div>${tags}`, 'text/html');
    }
    if (path === '/host-18.js' || path === '/host-19.js')
      return send(hosts[path.slice(6, 8) as ReactMajor], types['.js']);
    if (path === '/favicon.ico') return res.writeHead(204).end();
    // Grafana serves @grafana/ui's icons under public/build/img
    const file = path.startsWith('/dist/')
      ? join(ROOT, 'grafana-plugin', normalize(path))
      : path.startsWith('/systemjs/')
        ? join(systemjs, normalize(path.slice('/systemjs/'.length)))
        : path.startsWith('/public/build/img/')
          ? join(ROOT, 'node_modules/@grafana/ui/dist/public/img', normalize(path.slice('/public/build/img/'.length)))
          : path === '/fixtures/panel-frames.json'
            ? FIXTURE
            : path === '/provisioning/dashboard.json'
              ? DASHBOARD
              : undefined;
    if (!file) return res.writeHead(404).end();
    try {
      send(readFileSync(file), types[extname(file)] ?? 'application/octet-stream');
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (server) await new Promise((resolve) => server.close(resolve));
});

async function open(major: ReactMajor, query: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 960, height: 460 } });
  const errors = collectErrors(page);
  await page.goto(`${base}/?react=${major}&${query}`);
  await page
    .waitForFunction(() => document.body.dataset.ready || document.body.dataset.failed, undefined, { timeout: 30_000 })
    .catch((error: Error) => {
      throw new Error(`harness never got ready: ${error.message}\n${errors.join('\n')}`);
    });
  const failed = await page.evaluate(() => document.body.dataset.failed);
  if (failed) throw new Error(`harness failed: ${failed}`);
  expect(await page.evaluate(() => document.body.dataset.react)).toMatch(new RegExp(`^${major}\\.`));
  return { page, errors };
}

/** The chart's time axis as drawn, and a function from time to x within the svg. */
async function axis(page: Page) {
  const svg = await page.$eval('[data-testid="cloudpulse-svg"]', (el) => ({ ...(el as SVGElement).dataset }));
  const [xMin, xMax] = [Number(svg.xMin), Number(svg.xMax)];
  const [left, right] = [Number(svg.plotLeft), Number(svg.plotRight)];
  return { xMin, xMax, left, right, xOf: (t: number) => left + ((t - xMin) / (xMax - xMin)) * (right - left) };
}

interface Drawing {
  /** every element of the svg with its attributes (the clip path's generated id replaced) */
  svg: string;
  /** sha256 of a screenshot of the chart: svg and legend */
  pixels: string;
}

async function drawing(page: Page): Promise<Drawing> {
  const svg = await page.$eval('[data-testid="cloudpulse-svg"]', (root) => {
    const clipId = root.querySelector('clipPath')?.id ?? '\0';
    return [root, ...root.querySelectorAll('*')]
      .map((node) => {
        const attributes = [...node.attributes].map((a) => `${a.name}="${a.value.split(clipId).join('CLIP')}"`);
        const text = node.children.length === 0 ? (node.textContent ?? '') : '';
        return `<${node.tagName} ${attributes.sort().join(' ')}>${text}`;
      })
      .join('\n');
  });
  const shot = await (await page.$('[data-testid="cloudpulse-chart"]'))!.screenshot();
  return { svg, pixels: createHash('sha256').update(shot).digest('hex') };
}

const drawings: Record<string, Drawing> = {};

describe.each(MAJORS)('panel on React %s, real @grafana/ui, loaded by SystemJS', (major) => {
  for (const theme of ['dark', 'light'] as const) {
    it(`draws band over history, fan into the future and markers at the anomaly times (${theme})`, async () => {
      const { page, errors } = await open(major, `theme=${theme}`);
      await page.waitForSelector('[data-testid="cloudpulse-fan"]', { timeout: 15_000 }).catch((error: Error) => {
        throw new Error(`no fan drawn: ${error.message}\n${errors.join('\n')}`);
      });
      const { xMin, xMax, right, xOf } = await axis(page);
      const within = (selector: string) => boxWithin(page, selector, '[data-testid="cloudpulse-svg"]');

      // the axis starts with the dashboard's range and runs to the longest horizon (30m) past the last sample
      expect(xMin).toBe(fixture.range.from);
      expect(xMax).toBe(lastSample + 1800);

      const [fan] = await within('[data-testid="cloudpulse-fan"]');
      expect(fan.left).toBeCloseTo(xOf(lastSample), 0);
      expect(fan.right).toBeCloseTo(right, 0);
      expect(fan.height).toBeGreaterThan(5);

      const [band] = await within('[data-testid="cloudpulse-band"]');
      expect(Math.abs(band.left - xOf(Math.min(...bandIssues) + 300))).toBeLessThan(2);
      expect(Math.abs(band.right - xOf(Math.max(...bandIssues) + 300))).toBeLessThan(2);
      expect(band.height).toBeGreaterThan(5);

      const [actual] = await within('[data-testid="cloudpulse-actual"]');
      expect(Math.abs(actual.right - xOf(lastSample))).toBeLessThan(2);
      expect(actual.left).toBeLessThan(band.left);

      expect(anomalyTimes.length).toBeGreaterThan(0);
      const markers = await within('[data-testid="cloudpulse-marker"]');
      const centres = markers.map((m) => (m.left + m.right) / 2).sort((a, b) => a - b);
      const expected = anomalyTimes.map(xOf);
      expect(centres).toHaveLength(expected.length);
      centres.forEach((c, i) => expect(Math.abs(c - expected[i])).toBeLessThan(1.5));
      // the provisioned dashboard's threshold option (0.9)
      expect(await within('[data-testid="cloudpulse-threshold"]')).toHaveLength(1);

      drawings[`${major}/${theme}`] = await drawing(page);
      await page.screenshot({ path: join(RESULTS, `panel-${theme}-react${major}.png`) });

      // hovering a marker shows its score
      const box = (await (await page.$('[data-testid="cloudpulse-svg"]'))!.boundingBox())!;
      await page.mouse.move(box.x + expected[0], box.y + 60);
      const tooltip = await page.textContent('[data-testid="cloudpulse-tooltip"]');
      expect(tooltip).toMatch(/Score \d\.\d\d/);
      expect(tooltip).toMatch(/Anomaly (low|medium|high|critical)/);
      expect(errors).toEqual([]);
      await page.close();
    });
  }

  it('starts the axis at a later range start, dropping anomalies before it and clipping lines there', async () => {
    // simulated sample times run ahead of the wall clock the fixture was recorded on: a range over them
    const from = anomalyTimes[0] + 1;
    const { page, errors } = await open(major, `from=${from}&to=${lastSample}`);
    const { xMin, left, xOf } = await axis(page);
    expect(xMin).toBe(from);
    const within = (selector: string) => boxWithin(page, selector, '[data-testid="cloudpulse-svg"]');
    const markers = await within('[data-testid="cloudpulse-marker"]');
    const kept = anomalyTimes.filter((t) => t >= from);
    expect(kept.length).toBeGreaterThan(0);
    expect(markers.map((m) => (m.left + m.right) / 2).sort((a, b) => a - b)).toEqual(
      kept.map((t) => expect.closeTo(xOf(t), 0)),
    );
    // the line comes in from the last sample before the range, cut at the plot's edge by the clip path
    const [actual] = await within('[data-testid="cloudpulse-actual"]');
    expect(actual.left).toBeLessThan(left);
    const clip = await page.$eval('[data-testid="cloudpulse-data"]', (g) => {
      const id = /url\(#(.+)\)/.exec(g.getAttribute('clip-path') ?? '')?.[1] ?? '';
      return Number(document.getElementById(id)?.querySelector('rect')?.getAttribute('x'));
    });
    expect(clip).toBe(left);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('keeps a range end that lies beyond the fan', async () => {
    const to = lastSample + 7200;
    const { page, errors } = await open(major, `to=${to}`);
    const { xMax, xOf } = await axis(page);
    expect(xMax).toBe(to);
    const [fan] = await boxWithin(page, '[data-testid="cloudpulse-fan"]', '[data-testid="cloudpulse-svg"]');
    expect(fan.right).toBeCloseTo(xOf(lastSample + 1800), 0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('draws series federated from an HA pair once each, exactly as the preferred replica alone', async () => {
    const replica = preferredReplica();
    const pair = await open(major, 'frames=federated&options=' + encodeURIComponent('{"layout":"multiples"}'));
    const single = await open(
      major,
      `frames=federated&replica=${replica}&options=${encodeURIComponent('{"layout":"multiples"}')}`,
    );
    const titles = (page: Page) =>
      page.$$eval('[data-testid="cloudpulse-chart"]', (els) => els.map((e) => (e as HTMLElement).dataset.series));
    expect(await titles(pair.page)).toEqual([
      'node_cpu_utilisation sim-0:9100 (ets)',
      'node_cpu_utilisation sim-1:9100 (ets)',
    ]);
    expect(await pair.page.$$('[data-testid="cloudpulse-fan"]')).toHaveLength(2);
    expect(await pair.page.$$('[data-testid="cloudpulse-band"]')).toHaveLength(2);
    const svgs = (page: Page) =>
      page.$$eval('[data-testid="cloudpulse-data"]', (els) =>
        els.map((e) => e.innerHTML.replace(/cloudpulse-clip-[\w-]*/g, 'CLIP')),
      );
    expect(await svgs(pair.page)).toEqual(await svgs(single.page));
    expect([...pair.errors, ...single.errors]).toEqual([]);
    await pair.page.close();
    await single.page.close();
  });

  it('shows one chart per series as small multiples', async () => {
    const { page, errors } = await open(major, `options=${encodeURIComponent('{"layout":"multiples"}')}&height=420`);
    const titles = await page.$$eval('[data-testid="cloudpulse-chart"]', (els) =>
      els.map((e) => (e as HTMLElement).dataset.series),
    );
    expect(titles).toEqual(['node_cpu_utilisation sim-0:9100 (ets)', 'node_cpu_utilisation sim-1:9100 (ets)']);
    expect(await page.$$('[data-testid="cloudpulse-fan"]')).toHaveLength(2);
    await page.screenshot({ path: join(RESULTS, `panel-multiples-react${major}.png`) });
    expect(errors).toEqual([]);
    await page.close();
  });

  it("falls back to Grafana's no-data view without frames", async () => {
    const { page, errors } = await open(major, 'frames=none');
    expect(await page.textContent('#root')).toContain('Unable to render data');
    expect(await page.$('[data-testid="cloudpulse-chart"]')).toBeNull();
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('React 18 against React 19', () => {
  it('draws the same picture, element for element and pixel for pixel', () => {
    for (const theme of ['dark', 'light']) {
      const [old, current] = MAJORS.map((major) => drawings[`${major}/${theme}`]);
      expect(old, `no React 18 drawing (${theme})`).toBeDefined();
      expect(current, `no React 19 drawing (${theme})`).toBeDefined();
      expect(old.svg).toContain('data-testid="cloudpulse-band"');
      expect(old.svg).toContain('data-testid="cloudpulse-fan"');
      expect(old.svg).toContain('data-testid="cloudpulse-marker"');
      expect(old.svg).toEqual(current.svg);
      expect(old.pixels).toEqual(current.pixels);
    }
  });
});
