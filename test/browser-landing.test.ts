/**
 * The exporter's landing page in Debian's Chromium: the real exporter on a sped-up simulation,
 * one uPlot chart per series with the history band and the future fan actually painted (read back
 * from the canvas), a table with model, accuracy and anomaly state, refreshed live; the forecast
 * in sight (the fan's share of each plot), range buttons, drag and keyboard zoom, plots that fill
 * their cards from 800 to 2,000 px without horizontal overflow, and every control on the keyboard.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectErrors, launchChromium } from './fixtures/chromium.js';
import { startExporter, type RunningExporter } from './helpers/exporter.js';
import { stopAll, waitFor } from './helpers/index.js';
import { horizontalOverflow, measureCharts, tabThrough } from './fixtures/view-page.js';

const RESULTS = fileURLToPath(new URL('../test-results', import.meta.url));

const CONFIG = `
source:
  simulation:
    instances: 2
    seed: 11
    history: 6h
    speed: 60
schedule:
  interval: 1s
series:
  - name: node_cpu_utilisation
    query: 1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[5m]))
    simulate: cpu
    step: 1m
    lookback: 6h
    model: ets
    horizons: [5m, 15m, 30m]
    refit_interval: 30m
`;

let exporter: RunningExporter;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(RESULTS, { recursive: true });
  exporter = await startExporter(CONFIG);
  // enough past forecasts for a band: the 5m horizon needs a few cycles past its first target
  await waitFor(
    async () => {
      const list = (await (await fetch(`${exporter.url}/api/v1/series`)).json()) as { series: Array<{ id: string }> };
      if (list.series.length < 2) return false;
      const detail = (await (
        await fetch(`${exporter.url}/api/v1/series/${encodeURIComponent(list.series[0].id)}`)
      ).json()) as {
        pastForecasts: Array<{ points: unknown[] }>;
      };
      return detail.pastForecasts[0].points.length >= 10;
    },
    { timeout: 90_000, interval: 500, what: 'past forecasts in the JSON API' },
  );
  browser = await launchChromium();
}, 150_000);

afterAll(async () => {
  await browser?.close();
  await stopAll();
});

interface PaintCheck {
  id: string;
  bandPoints: number;
  fanStart: number;
  fanEnd: number;
  lastSample: number;
  xMax: number;
  /** RGBA read from the canvas inside the band and inside the fan */
  bandPixel: number[];
  fanPixel: number[];
}

describe('landing page', () => {
  it('draws a chart per series with band and fan, lists model, accuracy and anomaly state, and refreshes', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const errors = collectErrors(page);
    await page.goto(`${exporter.url}/?refresh=1`);
    await page.waitForFunction(() => Number(document.body.dataset.refreshes ?? 0) >= 1, undefined, { timeout: 30_000 });

    const summaries = (await (await fetch(`${exporter.url}/api/v1/series`)).json()) as {
      series: Array<{ id: string; model: string; lastSample: number }>;
    };
    const rows = await page.$$eval('#series tbody tr', (trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')),
    );
    expect(rows).toHaveLength(summaries.series.length);
    for (const [name, model, accuracy, anomaly] of rows) {
      expect(name).toContain('node_cpu_utilisation');
      // simulated data is said once, at the top, not in every row
      expect(model).toBe('ets');
      // per horizon: the rolling accuracy, or when its first forecast matures
      const lines = accuracy.split('\n');
      expect(lines).toHaveLength(3);
      for (const line of lines) {
        expect(line).toMatch(
          /^(5m|15m|30m)(: none matured yet, the first at .+ \((in \d+m|any moment now)\)| MASE \d+\.\d\d · 80% in band \d\.\d\d · 95% in band \d\.\d\d \(\d+ forecasts\))$/,
        );
      }
      expect(anomaly).toMatch(/^(normal|low|medium|high|critical) score \d\.\d\d$/);
    }
    expect(await page.locator('#simulated').textContent()).toMatch(
      /^Simulated data: no Prometheus source is configured/,
    );
    // each row links to the series' own page
    const links = await page.$$eval('#series tbody tr td:first-child a', (as) => as.map((a) => a.getAttribute('href')));
    expect(links.sort()).toEqual(summaries.series.map((s) => `series?id=${encodeURIComponent(s.id)}`).sort());

    const checks: PaintCheck[] = await page.evaluate(() => {
      type Plot = {
        valToPos(v: number, scale: string, canvasPixels?: boolean): number;
        ctx: CanvasRenderingContext2D;
        scales: { x: { max: number } };
      };
      type Ribbon = { t: number[]; lower: number[]; upper: number[] };
      const charts = (
        window as unknown as {
          cloudpulse: {
            charts: Map<string, { plot: Plot; model: { band: Ribbon; fan: Ribbon; lastSample: { t: number } } }>;
          };
        }
      ).cloudpulse.charts;
      // a pixel a quarter of the way up from the lower bound at the ribbon's widest finite point
      const pixelIn = (plot: Plot, r: Ribbon) => {
        let best = -1;
        for (let i = 1; i < r.t.length; i++) {
          const width = r.upper[i] - r.lower[i];
          if (Number.isFinite(width) && (best < 0 || width > r.upper[best] - r.lower[best])) best = i;
        }
        const x = Math.round(plot.valToPos(r.t[best], 'x', true));
        const y = Math.round(plot.valToPos(r.lower[best] + 0.25 * (r.upper[best] - r.lower[best]), 'y', true));
        return [...plot.ctx.getImageData(x, y, 1, 1).data];
      };
      return [...charts.entries()].map(([id, { plot, model }]) => ({
        id,
        bandPoints: model.band.t.filter((_, i) => Number.isFinite(model.band.lower[i])).length,
        fanStart: model.fan.t[0],
        fanEnd: model.fan.t[model.fan.t.length - 1],
        lastSample: model.lastSample.t,
        xMax: plot.scales.x.max,
        bandPixel: pixelIn(plot, model.band),
        fanPixel: pixelIn(plot, model.fan),
      }));
    });
    expect(checks.map((c) => c.id).sort()).toEqual(summaries.series.map((s) => s.id).sort());
    for (const c of checks) {
      expect(c.bandPoints).toBeGreaterThanOrEqual(5);
      // the fan starts at the last sample and reaches the longest horizon; the axis extends that far
      expect(c.fanStart).toBe(c.lastSample);
      expect(c.fanEnd).toBe(c.lastSample + 1800);
      expect(c.xMax).toBeGreaterThanOrEqual(c.fanEnd);
      // painted: the band in blue (#5794F2 at low alpha), the fan in purple (#B877D9)
      const [br, , bb, ba] = c.bandPixel;
      expect(ba).toBeGreaterThan(0);
      expect(bb).toBeGreaterThan(br);
      const [fr, fg, fb, fa] = c.fanPixel;
      expect(fa).toBeGreaterThan(0);
      expect(fb).toBeGreaterThan(fg);
      expect(fr).toBeGreaterThan(fg);
    }
    await page.screenshot({ path: join(RESULTS, 'landing.png'), fullPage: true });

    // live: a later poll brings newer samples into the same charts
    const before = checks[0].lastSample;
    await page.waitForFunction(
      ([id, t]) => {
        const charts = (
          window as unknown as { cloudpulse: { charts: Map<string, { model: { lastSample: { t: number } } }> } }
        ).cloudpulse.charts;
        return (charts.get(id as string)?.model.lastSample.t ?? 0) > (t as number);
      },
      [checks[0].id, before] as const,
      { timeout: 20_000 },
    );
    expect(await page.$$('section.chart')).toHaveLength(summaries.series.length);
    expect(errors).toEqual([]);
    await page.close();
  });
  it('opens on the recent past and the whole forecast, the fan at least 15% of every plot', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors = collectErrors(page);
    await page.goto(`${exporter.url}/?refresh=1`);
    await page.waitForFunction(() => Number(document.body.dataset.refreshes ?? 0) >= 1, undefined, { timeout: 30_000 });
    const charts = await measureCharts(page);
    expect(charts.length).toBe(2);
    for (const c of charts) {
      // the longest horizon is 30m: 5⅔ of it before the last sample, the fan after it
      expect(c.fanEnd - c.lastSample).toBe(1800);
      expect(c.max).toBe(c.fanEnd);
      expect(c.min).toBeCloseTo(Math.max(c.firstSample, c.lastSample - (1800 * 0.85) / 0.15), 6);
      expect(c.fanShare).toBeGreaterThanOrEqual(0.15 - 1e-9);
    }

    // range buttons: that much history and the whole forecast, for every chart
    await page.getByRole('button', { name: '6 h' }).click();
    for (const c of await measureCharts(page)) {
      expect(c.min).toBe(Math.max(c.firstSample, c.lastSample - 6 * 3600));
      expect(c.max).toBe(c.fanEnd);
    }
    expect(await page.getByRole('button', { name: '6 h' }).getAttribute('aria-pressed')).toBe('true');

    // drag across the first chart to zoom into that stretch; double-click to return to the range chosen
    const over = page.locator('section.chart .u-over').first();
    const box = (await over.boundingBox())!;
    const [before] = await measureCharts(page);
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    const [zoomed] = await measureCharts(page);
    const span = before.max - before.min;
    expect(zoomed.min).toBeCloseTo(before.min + 0.3 * span, -2);
    expect(zoomed.max).toBeCloseTo(before.min + 0.6 * span, -2);
    await over.dblclick({ position: { x: box.width / 2, y: box.height / 2 } });
    const [reset] = await measureCharts(page);
    expect(reset.max).toBe(reset.fanEnd);
    expect(reset.min).toBe(Math.max(reset.firstSample, reset.lastSample - 6 * 3600));

    // the default window comes back with its button
    await page.getByRole('button', { name: 'Forecast in view' }).click();
    for (const c of await measureCharts(page)) expect(c.fanShare).toBeGreaterThanOrEqual(0.15 - 1e-9);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('fills each card with its plot from 800 to 2,000 px, never wider than the window', async () => {
    const page = await browser.newPage({ viewport: { width: 800, height: 900 } });
    const errors = collectErrors(page);
    await page.goto(`${exporter.url}/?refresh=1`);
    await page.waitForFunction(() => Number(document.body.dataset.refreshes ?? 0) >= 1, undefined, { timeout: 30_000 });
    for (const width of [800, 1000, 1400, 2000, 800]) {
      await page.setViewportSize({ width, height: 900 });
      // the plots follow their cards on the next frames (ResizeObserver)
      await page.waitForFunction(
        () =>
          [...document.querySelectorAll('section.chart .plot')].every(
            (box) => Math.abs(box.clientWidth - (box.querySelector('.uplot') as HTMLElement).offsetWidth) <= 1,
          ),
        undefined,
        { timeout: 5000 },
      );
      expect(await horizontalOverflow(page), `overflow at ${width} px`).toBe(0);
      for (const c of await measureCharts(page)) {
        expect(Math.abs(c.chartWidth - c.boxWidth), `chart in its box at ${width} px`).toBeLessThanOrEqual(1);
        expect(Math.abs(c.boxWidth - c.cardContentWidth), `box in its card at ${width} px`).toBeLessThanOrEqual(1);
      }
    }
    expect(errors).toEqual([]);
    await page.close();
  });

  it('reaches every control with the keyboard, and works them with it', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const errors = collectErrors(page);
    await page.goto(`${exporter.url}/?refresh=30`);
    await page.waitForFunction(() => Number(document.body.dataset.refreshes ?? 0) >= 1, undefined, { timeout: 30_000 });
    const { reached, controls } = await tabThrough(page);
    expect(controls.length).toBeGreaterThanOrEqual(4 + 4 + 2 * 2 + 2); // nav, range buttons, row and chart links, charts
    expect(reached.sort()).toEqual([...controls].sort());

    // Enter on a range button, then + and 0 on a focused chart
    await page.getByRole('button', { name: '24 h' }).focus();
    await page.keyboard.press('Enter');
    expect(await page.getByRole('button', { name: '24 h' }).getAttribute('aria-pressed')).toBe('true');
    const [day] = await measureCharts(page);
    expect(day.min).toBe(Math.max(day.firstSample, day.lastSample - 86400));
    await page.locator('section.chart .plot').first().focus();
    await page.keyboard.press('+');
    const [closer] = await measureCharts(page);
    expect(closer.max - closer.min).toBeCloseTo((day.max - day.min) / 2, 3);
    await page.keyboard.press('0');
    const [back] = await measureCharts(page);
    expect([back.min, back.max]).toEqual([Math.max(back.firstSample, back.lastSample - 86400), back.fanEnd]);
    expect(errors).toEqual([]);
    await page.close();
  });
});
