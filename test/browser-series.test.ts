/**
 * One series' page in Debian's Chromium, as a person uses it: the real exporter on a sped-up
 * simulation with a spike injected and the JSONL anomaly log on; the page opened from the landing
 * table's link; history, band, fan and anomaly markers read back from the canvas; the fan's share
 * of the plot; the log's events as a list that moves the chart to each, by mouse and keyboard;
 * auto's candidates and pick in words; no horizontal overflow at 800 px; every control on the
 * keyboard; and the backtest table equal, digit for digit, to what the compiled `cloudpulse
 * backtest` prints for the CSV the page offers, while /metrics keeps answering.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectErrors, launchChromium } from './fixtures/chromium.js';
import { CLI, startExporter, type RunningExporter } from './helpers/exporter.js';
import { stopAll, tempDir, waitFor } from './helpers/index.js';
import { horizontalOverflow, measureCharts, paintedPixels, tabThrough } from './fixtures/view-page.js';

const RESULTS = fileURLToPath(new URL('../test-results', import.meta.url));
const LOG_DIR = tempDir('cloudpulse-series-page');
const SERIES = 'node_memory_used_bytes';
/** pinned, so the data (and the anomalies its history holds) are the same whenever the test runs */
const START = '2026-01-05T12:00:00Z';
const CONFIG = `
source:
  simulation:
    instances: 2
    seed: 11
    history: 3d
    speed: 60
    anomalies: false
    start: ${START}
    inject:
      - { after: 10m, kind: spike, duration: 15m, magnitude: 10, instance: 0 }
schedule:
  interval: 1s
anomaly_log:
  path: ${join(LOG_DIR, 'anomalies.jsonl')}
series:
  - name: ${SERIES}
    query: q
    simulate: memory
    step: 5m
    lookback: 3d
    model: auto
    horizons: [15m, 1h]
    refit_interval: 1h
`;
/** Grafana's palette by severity number, as exporter/src/view/anomalies.ts has it */
const SEVERITY_RGB: Record<number, number[]> = {
  1: [250, 222, 42],
  2: [255, 152, 48],
  3: [242, 73, 92],
  4: [196, 22, 42],
};
const SEVERITY = { LOW: 1, MEDIUM: 2, HIGH: 3, CRITICAL: 4 } as Record<string, number>;

let exporter: RunningExporter;
let browser: Browser;
let id: string;
let spikeAt: number;

type Events = { events: Array<{ t: number; severity: string }> };
const getJson = async <T>(path: string) => (await (await fetch(`${exporter.url}${path}`)).json()) as T;
const api = () => `/api/v1/series/${encodeURIComponent(id)}`;

beforeAll(async () => {
  mkdirSync(RESULTS, { recursive: true });
  exporter = await startExporter(CONFIG);
  // the injected spike logged as an event, auto fitted, and a few past forecasts for the band
  await waitFor(
    async () => {
      const list = await getJson<{ series: Array<{ id: string; labels: Record<string, string> }> }>('/api/v1/series');
      const sim0 = list.series.find((s) => s.labels.instance === 'sim-0:9100');
      if (!sim0) return false;
      id = sim0.id;
      const detail = await getJson<{ modelDescription: string | null; pastForecasts: Array<{ points: unknown[] }> }>(
        api(),
      );
      const events = await getJson<Events>(`${api()}/events`);
      const live = events.events.filter((e) => e.severity === 'CRITICAL' && e.t >= Date.parse(START) / 1000);
      if (live.length > 0) spikeAt = live[0].t;
      return (
        live.length > 0 && detail.modelDescription?.startsWith('auto: ') && detail.pastForecasts[0].points.length >= 3
      );
    },
    { timeout: 120_000, interval: 1000, what: 'the injected spike in the anomaly log and auto fitted' },
  );
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stopAll();
});

/** The series page, opened as a person would: from its link in the landing page's table. */
async function openFromLanding(width: number): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const errors = collectErrors(page);
  await page.goto(`${exporter.url}/?refresh=2`);
  await page.waitForFunction(() => Number(document.body.dataset.refreshes ?? 0) >= 1, undefined, { timeout: 30_000 });
  await page.locator(`#series tbody tr td:first-child a[href="series?id=${encodeURIComponent(id)}"]`).click();
  await page.waitForURL(/\/series\?id=/);
  await page.waitForFunction(() => Number(document.body.dataset.refreshes ?? 0) >= 1, undefined, { timeout: 30_000 });
  return { page, errors };
}

const backtestsDone = (page: Page, n: number) =>
  page.waitForFunction((k) => Number(document.body.dataset.backtests ?? 0) >= k, n, { timeout: 120_000 });

/** The x scale of the page's chart. */
const xScale = async (page: Page) => {
  const [c] = await measureCharts(page);
  return [c.min, c.max];
};

/** Each backtest table of the page as shown: steps from its caption, then per model the cells' text and values. */
function backtestTables(page: Page) {
  return page.$$eval('#backtest-table table', (tables) =>
    tables.map((table) => ({
      steps: Number(/\((\d+) steps/.exec(table.querySelector('caption')!.textContent!)![1]),
      rows: [...table.querySelectorAll('tbody tr')].map((tr) => {
        const cells = [...tr.querySelectorAll<HTMLElement>('td[data-metric]')];
        return {
          model: cells[0].dataset.model!,
          text: Object.fromEntries(cells.map((c) => [c.dataset.metric!, c.textContent!])),
          value: Object.fromEntries(cells.map((c) => [c.dataset.metric!, c.dataset.value!])),
          fails: tr.lastElementChild!.textContent!,
        };
      }),
    })),
  );
}

/**
 * Download the CSV the page offers, run every command the page shows with the compiled CLI, and
 * assert the page's table is what the CLI printed (its text) and wrote (--json, exactly).
 */
async function expectTheCliNumbers(page: Page): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cloudpulse-series-cli-'));
  await page.locator('#backtest-results details summary').click();
  const link = page.locator('#backtest-csv');
  const csv = await page.evaluate(async (href) => (await fetch(href)).text(), (await link.getAttribute('href'))!);
  writeFileSync(join(dir, (await link.getAttribute('download'))!), csv);
  const shown = await backtestTables(page);
  const commands = (await page.locator('#backtest-commands').textContent())!.trim().split('\n');
  expect(commands).toHaveLength(2);
  const { input, window: w } = await page.evaluate(
    () =>
      (
        window as unknown as {
          cloudpulseBacktest: {
            current: { result: { input: { start: number; length: number }; window: { from: number; to: number } } };
          };
        }
      ).cloudpulseBacktest.current.result,
  );
  expect(csv.trim().split('\n')).toHaveLength(1 + input.length);
  // the same as the API's input.csv pinned to that start, while the lookback still holds it (410 after)
  const pinned = await fetch(
    `${exporter.url}${api()}/backtest/input.csv?from=${w.from}&to=${w.to}&start=${input.start}`,
  );
  if (pinned.status === 200) expect(await pinned.text()).toBe(csv);
  else expect(pinned.status).toBe(410);
  for (const command of commands) {
    const args = command.split(' ');
    expect(args.slice(0, 2)).toEqual(['cloudpulse', 'backtest']);
    const { stdout } = await promisify(execFile)(process.execPath, [CLI, ...args.slice(1)], { cwd: dir });
    const steps = Number(args[args.indexOf('--horizon') + 1]);
    const lines = stdout.split('\n');
    const head = lines.findIndex((l) => l.startsWith('model '));
    const headers = lines[head].split(/\s{2,}/);
    const printed = lines
      .slice(head + 2)
      .filter((l) => l.trim())
      .map((l) => Object.fromEntries(l.split(/\s{2,}/).map((cell, i) => [headers[i], cell])));
    const json = JSON.parse(readFileSync(join(dir, args[args.indexOf('--json') + 1]), 'utf8')) as {
      models: Array<{ model: string; summary: { maseMean: number; coverage: number[]; msisGeoMean: number[] } }>;
    };
    const table = shown.find((t) => t.steps === steps)!;
    expect(table.rows.map((r) => r.model)).toEqual(printed.map((p) => p.model));
    const dash = (s: string) => (s === '-' ? '–' : s);
    for (const [i, row] of table.rows.entries()) {
      const p = printed[i];
      const s = json.models[i].summary;
      expect(row.text, `${row.model} at ${steps} steps as printed`).toEqual({
        mase: dash(p['MASE mean']),
        'coverage-0.8': dash(p.cov80),
        'coverage-0.95': dash(p.cov95),
        'msis-0.8': dash(p['MSIS80 gmean']),
        'msis-0.95': dash(p['MSIS95 gmean']),
      });
      expect(row.fails).toBe(p.fails);
      expect(row.value, `${row.model} at ${steps} steps as written`).toEqual({
        mase: String(s.maseMean),
        'coverage-0.8': String(s.coverage[0]),
        'coverage-0.95': String(s.coverage[1]),
        'msis-0.8': String(s.msisGeoMean[0]),
        'msis-0.95': String(s.msisGeoMean[1]),
      });
    }
  }
}

describe('series page', () => {
  it('opens from the landing table with history, band, fan and anomaly markers painted, the fan at least 15%', async () => {
    const { page, errors } = await openFromLanding(1400);
    expect(await page.locator('#series-title').textContent()).toBe(SERIES);
    const [c] = await measureCharts(page);
    expect(c.id).toBe(id);
    expect(c.fanEnd - c.lastSample).toBe(3600);
    expect(c.max).toBe(c.fanEnd);
    expect(c.fanShare).toBeGreaterThanOrEqual(0.15 - 1e-9);
    const [painted] = await paintedPixels(page);
    const [ar, ag, ab, aa] = painted.actualPixel; // #73BF69
    expect(aa).toBeGreaterThan(0);
    expect(ag).toBeGreaterThan(Math.max(ar, ab));
    const [br, , bb, ba] = painted.bandPixel; // #5794F2, low alpha
    expect(ba).toBeGreaterThan(0);
    expect(bb).toBeGreaterThan(br);
    const [fr, fg, fb, fa] = painted.fanPixel; // #B877D9
    expect(fa).toBeGreaterThan(0);
    expect(fb).toBeGreaterThan(fg);
    expect(fr).toBeGreaterThan(fg);
    // the injected spike is in view, marked critical, and every marker in view is painted in its severity's colour
    expect(painted.markers.find((m) => m.t === spikeAt)?.severity).toBe(4);
    for (const m of painted.markers) {
      const want = SEVERITY_RGB[m.severity];
      for (let k = 0; k < 3; k++) expect(Math.abs(m.pixel[k] - want[k]), `marker at ${m.t}`).toBeLessThanOrEqual(24);
    }
    expect(await page.locator('#legend').textContent()).toContain('anomaly: critical');
    await page.screenshot({ path: join(RESULTS, 'series.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('lists the logged events, each marked on the chart; choosing one, by click or keyboard, moves the chart to it', async () => {
    const { page, errors } = await openFromLanding(1400);
    await page.waitForFunction(() => document.querySelectorAll('#events button.event').length > 0);
    const buttons = page.locator('#events button.event');
    const times = await buttons.evaluateAll((bs) => bs.map((b) => Number((b as HTMLElement).dataset.t)));
    const logged = (await getJson<Events>(`${api()}/events`)).events;
    // the log's events, oldest first (the log may have grown since the page read it)
    expect(times).toEqual(logged.map((e) => e.t).slice(0, times.length));
    expect(times).toContain(spikeAt);
    expect(await page.locator('#events-note').textContent()).toMatch(/^\d+ events from the anomaly log/);
    // every logged event is an anomaly marker of the same severity on the chart
    const markers = await page.evaluate(
      () =>
        (
          window as unknown as {
            cloudpulse: { charts: Map<string, { model: { markers: Array<{ t: number; severity: number }> } }> };
          }
        ).cloudpulse.charts
          .values()
          .next().value!.model.markers,
    );
    const severityAt = new Map(markers.map((m) => [m.t, m.severity]));
    for (const e of logged) expect(severityAt.get(e.t), `marker at ${e.t}`).toBe(SEVERITY[e.severity]);

    // the oldest event lies before the default window: a click brings it into view, marked
    const oldest = buttons.first();
    const t0 = Number(await oldest.getAttribute('data-t'));
    expect((await xScale(page))[0]).toBeGreaterThan(t0);
    await oldest.click();
    const [min, max] = await xScale(page);
    expect(t0).toBeGreaterThanOrEqual(min);
    expect(t0).toBeLessThanOrEqual(max);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('chart');
    expect((await paintedPixels(page))[0].markers.map((m) => m.t)).toContain(t0);
    // 0 on the chart returns to the range chosen before, the forecast in view
    await page.keyboard.press('0');
    const [back] = await measureCharts(page);
    expect(back.max).toBe(back.fanEnd);
    expect(back.fanShare).toBeGreaterThanOrEqual(0.15 - 1e-9);

    // by keyboard: Enter on another event's button
    const second = buttons.nth(1);
    const t1 = Number(await second.getAttribute('data-t'));
    await second.focus();
    await page.keyboard.press('Enter');
    const [min1, max1] = await xScale(page);
    expect(t1).toBeGreaterThanOrEqual(min1);
    expect(t1).toBeLessThanOrEqual(max1);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('says in words what auto compared and what it picked', async () => {
    const { page, errors } = await openFromLanding(1400);
    await page.waitForFunction(() => document.querySelectorAll('#candidates tbody tr').length > 0, undefined, {
      timeout: 60_000,
    });
    const model = await getJson<{ description: string; validation: { candidates: Array<{ name: string }> } }>(
      `${api()}/model`,
    );
    // "auto: naive seasonal naive m=1 for 12 steps, then mean of naive ... + sarima ..., conformal bands (48 steps)"
    const served = /^auto: (\w+) .* for 12 steps, then (?:mean of (\w+) .* \+ (\w+) |(\w+) )/.exec(model.description)!;
    const [, early, late1, late2, lateAlone] = served;
    const late = lateAlone ?? `the mean of ${late1} and ${late2}`;
    expect(await page.locator('#model-sentence').textContent()).toMatch(
      new RegExp(`^auto serves ${early} for the first 1h, then ${late}\\. Fitted at `),
    );
    const rows = await page.$$eval('#candidates tbody tr', (trs) =>
      trs.map((tr) => ({
        name: (tr as HTMLElement).dataset.candidate!,
        cells: [...tr.children].map((td) => td.textContent!),
      })),
    );
    expect(rows.map((r) => r.name).sort()).toEqual(model.validation.candidates.map((c) => c.name).sort());
    expect(rows.length).toBeGreaterThanOrEqual(3);
    for (const r of rows) {
      expect(r.cells[2]).toMatch(/^\d/);
      expect(r.cells[3]).toMatch(/^\d/);
      expect(r.cells[4]).toMatch(/^\d+\.\d\d×$/);
    }
    expect(rows[0].cells[4]).toBe('1.00×');
    expect(rows.find((r) => r.name === early)!.cells[0]).toContain('serves the first 1h');
    for (const name of lateAlone ? [lateAlone] : [late1, late2])
      expect(rows.find((r) => r.name === name)!.cells[0]).toContain('serves after');
    expect(await page.locator('#candidates p').textContent()).toMatch(/^auto validates each candidate on the last /);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows the backtest numbers `cloudpulse backtest` prints for the CSV it offers', async () => {
    const { page, errors } = await openFromLanding(1400);
    await backtestsDone(page, 1);
    expect(await page.locator('#backtest-status').textContent()).toMatch(
      /^Origins between .*, computed (in \d+\.\d s|earlier for the same input)\.$/,
    );
    // the models asked for: auto, as configured, and its registered candidates; both horizons
    const shown = await backtestTables(page);
    expect(shown.map((t) => t.steps)).toEqual([3, 12]);
    for (const t of shown) expect(t.rows.map((r) => r.model)).toEqual(['auto', 'seasonal_naive', 'ets', 'sarima']);
    // the hint names a model of the table and the config lines to paste
    expect(await page.locator('#advice').textContent()).toMatch(/^Use this model\? /);
    // the overlay draws the series' own model over the candidates it chose from, and says so
    const legend = await page.locator('#backtest-legend span').allTextContents();
    expect(legend.filter((t) => t.includes('drawn on top'))).toEqual([
      "auto: a forecast from each origin (this series' model, drawn on top)",
    ]);
    await expectTheCliNumbers(page);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('reaches every control with the keyboard, runs a backtest with it while /metrics answers, no overflow at 800 px', async () => {
    const { page, errors } = await openFromLanding(800);
    await backtestsDone(page, 1);
    expect(await horizontalOverflow(page), 'overflow at 800 px').toBe(0);
    for (const c of await measureCharts(page)) {
      expect(Math.abs(c.chartWidth - c.boxWidth)).toBeLessThanOrEqual(1);
      expect(Math.abs(c.boxWidth - c.cardContentWidth)).toBeLessThanOrEqual(1);
    }
    const { reached, controls } = await tabThrough(page);
    // nav and back links, 4 range buttons, the chart, events, 2 selects, 7 models, run, horizon, summary
    expect(controls.length).toBeGreaterThanOrEqual(5 + 4 + 1 + 1 + 2 + 7 + 1 + 1 + 1);
    expect(reached.sort()).toEqual([...controls].sort());

    // 24 origins with the keyboard, then Run: a new backtest off the main thread while /metrics is scraped
    await page.locator('#backtest-form select[name=origins]').focus();
    await page.keyboard.press('ArrowDown');
    expect(await page.locator('#backtest-form select[name=origins]').inputValue()).toBe('24');
    // and a fifth model, mstl, ticked with Space
    await page.locator('#backtest-models input[value=mstl]').focus();
    await page.keyboard.press('Space');
    expect(await page.locator('#backtest-models input[value=mstl]').isChecked()).toBe(true);
    await page.locator('#backtest-form button[type=submit]').focus();
    await page.keyboard.press('Enter');
    const scrapes: number[] = [];
    const done = backtestsDone(page, 2);
    let finished = false;
    void done.then(() => (finished = true));
    while (!finished) {
      const t = performance.now();
      const res = await fetch(`${exporter.url}/metrics`);
      await res.text();
      expect(res.status).toBe(200);
      scrapes.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 100));
    }
    await done;
    expect(scrapes.length).toBeGreaterThan(0);
    console.log(`/metrics during the backtest: ${scrapes.length} scrapes, max ${Math.max(...scrapes).toFixed(0)} ms`);
    expect(Math.max(...scrapes)).toBeLessThan(1000);
    expect(await page.locator('#backtest-table caption').first().textContent()).toMatch(/24 origins/);
    for (const t of await backtestTables(page))
      expect(t.rows.map((r) => r.model)).toEqual(['auto', 'seasonal_naive', 'ets', 'sarima', 'mstl']);
    await expectTheCliNumbers(page);
    expect(await horizontalOverflow(page), 'overflow at 800 px with the results').toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);
});
