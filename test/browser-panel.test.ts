/**
 * The built panel plugin (grafana-plugin/dist/module.js, loaded as Grafana loads it: AMD, with
 * React and the real @grafana/* packages provided by the host page) drawing frames recorded from a
 * real Prometheus scraping the real exporter, in Debian's Chromium. Asserts on drawn geometry;
 * screenshots go to test-results/.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boxWithin, collectErrors, launchChromium } from './fixtures/chromium.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RESULTS = join(ROOT, 'test-results');
const FIXTURE = join(ROOT, 'test/fixtures/panel-frames.json');

interface FrameDTO {
  refId: string;
  fields: [{ values: number[] }, { values: number[]; labels: Record<string, string> }];
}
const fixture = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { frames: FrameDTO[] };

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
];

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
  const host = await build({
    entryPoints: [join(ROOT, 'test/fixtures/panel-harness/host.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    jsx: 'automatic',
    minify: true,
    define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
    loader: { '.svg': 'text', '.css': 'empty', '.woff2': 'empty' },
    logLevel: 'error',
    // what Grafana's index.html sets before its scripts run; @grafana/runtime reads it on import
    banner: { js: 'window.grafanaBootData = { settings: {}, user: {}, navTree: [] };' },
  });
  const hostJs = host.outputFiles[0].contents;
  const types: Record<string, string> = {
    '.svg': 'image/svg+xml',
    '.js': 'text/javascript',
    '.json': 'application/json',
    '.map': 'application/json',
  };
  server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const send = (body: string | Uint8Array, type: string) => res.writeHead(200, { 'content-type': type }).end(body);
    if (path === '/')
      return send(
        '<!doctype html><meta charset="utf-8"><body><div id="root"></div><script src="/host.js"></script>',
        'text/html',
      );
    if (path === '/host.js') return send(hostJs, 'text/javascript');
    if (path === '/favicon.ico') return res.writeHead(204).end();
    // Grafana serves @grafana/ui's icons under public/build/img
    const file = path.startsWith('/dist/')
      ? join(ROOT, 'grafana-plugin', normalize(path))
      : path.startsWith('/public/build/img/')
        ? join(ROOT, 'node_modules/@grafana/ui/dist/public/img', normalize(path.slice('/public/build/img/'.length)))
        : path === '/fixtures/panel-frames.json'
          ? FIXTURE
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
  await new Promise((resolve) => server?.close(resolve));
});

async function open(query: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 960, height: 460 } });
  const errors = collectErrors(page);
  await page.goto(`${base}/?${query}`);
  await page.waitForFunction(() => document.body.dataset.ready || document.body.dataset.failed, undefined, {
    timeout: 30_000,
  });
  const failed = await page.evaluate(() => document.body.dataset.failed);
  if (failed) throw new Error(`harness failed: ${failed}`);
  return { page, errors };
}

describe('panel in Chromium, real @grafana/ui, recorded frames', () => {
  for (const theme of ['dark', 'light'] as const) {
    it(`draws band over history, fan into the future and markers at the anomaly times (${theme})`, async () => {
      const { page, errors } = await open(`theme=${theme}&options=${encodeURIComponent('{"thresholds":"0.9"}')}`);
      await page.waitForSelector('[data-testid="cloudpulse-fan"]');
      const svg = await page.$eval('[data-testid="cloudpulse-svg"]', (el) => ({ ...(el as SVGElement).dataset }));
      const [xMin, xMax] = [Number(svg.xMin), Number(svg.xMax)];
      const [left, right] = [Number(svg.plotLeft), Number(svg.plotRight)];
      const xOf = (t: number) => left + ((t - xMin) / (xMax - xMin)) * (right - left);
      const within = (selector: string) => boxWithin(page, selector, '[data-testid="cloudpulse-svg"]');

      // the x-axis runs to the longest horizon (30m) past the last sample
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
      const expected = anomalyTimes.map(xOf).sort((a, b) => a - b);
      expect(centres).toHaveLength(expected.length);
      centres.forEach((c, i) => expect(Math.abs(c - expected[i])).toBeLessThan(1.5));
      expect(await within('[data-testid="cloudpulse-threshold"]')).toHaveLength(1);

      // hovering a marker shows its score
      const svgBox = (await page.$('[data-testid="cloudpulse-svg"]'))!.boundingBox();
      const box = (await svgBox)!;
      await page.mouse.move(box.x + expected[0], box.y + 60);
      const tooltip = await page.textContent('[data-testid="cloudpulse-tooltip"]');
      expect(tooltip).toMatch(/Score \d\.\d\d/);
      expect(tooltip).toMatch(/Anomaly (low|medium|high|critical)/);
      await page.mouse.move(0, 0);

      await page.screenshot({ path: join(RESULTS, `panel-${theme}.png`) });
      expect(errors).toEqual([]);
      await page.close();
    });
  }

  it('shows one chart per series as small multiples', async () => {
    const { page, errors } = await open(`options=${encodeURIComponent('{"layout":"multiples"}')}&height=420`);
    const titles = await page.$$eval('[data-testid="cloudpulse-chart"]', (els) =>
      els.map((e) => (e as HTMLElement).dataset.series),
    );
    expect(titles).toEqual(['node_cpu_utilisation sim-0:9100 (ets)', 'node_cpu_utilisation sim-1:9100 (ets)']);
    expect(await page.$$('[data-testid="cloudpulse-fan"]')).toHaveLength(2);
    await page.screenshot({ path: join(RESULTS, 'panel-multiples.png') });
    expect(errors).toEqual([]);
    await page.close();
  });

  it("falls back to Grafana's no-data view without frames", async () => {
    const { page, errors } = await open('empty=1');
    expect(await page.textContent('#root')).toContain('Unable to render data');
    expect(await page.$('[data-testid="cloudpulse-chart"]')).toBeNull();
    expect(errors).toEqual([]);
    await page.close();
  });
});
