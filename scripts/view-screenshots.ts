/**
 * Re-takes the docs' screenshots of the built-in web view from the real page: starts the compiled
 * exporter on a sped-up simulation (pinned start, a spike injected into sim-0, the JSONL anomaly
 * log on), waits for auto's first fits, the spike's event and some past forecasts, then opens the
 * landing page and sim-0's series page (after its backtest ran) in Debian's Chromium at 1400 px.
 * Writes docs/img/landing.png, docs/img/series.png (the page down to its anomaly events) and
 * docs/img/series-backtest.png (its backtest card), and fails when one is 300 KB or more.
 *
 *   npm run build -w exporter && npx tsx scripts/view-screenshots.ts
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../test/fixtures/chromium.js';
import { startExporter } from '../test/helpers/exporter.js';
import { stopAll, tempDir, waitFor } from '../test/helpers/index.js';

const IMG = fileURLToPath(new URL('../docs/img', import.meta.url));
const MAX_BYTES = 300 * 1024;
const WIDTH = 1400;

const CONFIG = `
source:
  simulation:
    instances: 2
    seed: 11
    history: 3d
    speed: 60
    anomalies: false
    start: 2026-01-05T12:00:00Z
    inject:
      - { after: 10m, kind: spike, duration: 15m, magnitude: 10, instance: 0 }
schedule:
  interval: 1s
anomaly_log:
  path: ${join(tempDir('cloudpulse-screenshots'), 'anomalies.jsonl')}
series:
  - name: node_memory_used_bytes
    query: sum by (instance) (node_memory_MemTotal_bytes - node_memory_MemAvailable_bytes)
    simulate: memory
    step: 5m
    lookback: 3d
    model: auto
    horizons: [15m, 1h]
    refit_interval: 1h
`;

async function main(): Promise<void> {
  const exporter = await startExporter(CONFIG);
  const get = async <T>(path: string) => (await (await fetch(`${exporter.url}${path}`)).json()) as T;
  let id = '';
  await waitFor(
    async () => {
      const list = await get<{ series: Array<{ id: string; labels: Record<string, string> }> }>('/api/v1/series');
      id = list.series.find((s) => s.labels.instance === 'sim-0:9100')?.id ?? '';
      if (!id) return false;
      const api = `/api/v1/series/${encodeURIComponent(id)}`;
      const detail = await get<{ modelDescription: string | null; pastForecasts: Array<{ points: unknown[] }> }>(api);
      const events = await get<{ events: Array<{ severity: string }> }>(`${api}/events`);
      return (
        detail.modelDescription?.startsWith('auto: ') === true &&
        detail.pastForecasts[0].points.length >= 6 &&
        events.events.some((e) => e.severity === 'CRITICAL')
      );
    },
    { timeout: 180_000, interval: 1000, what: 'auto fitted, past forecasts and the spike logged' },
  );
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: WIDTH, height: 900 } });
    await page.goto(`${exporter.url}/?refresh=2`);
    await page.waitForFunction(() => Number(document.body.dataset.refreshes ?? 0) >= 1);
    await page.screenshot({ path: join(IMG, 'landing.png'), fullPage: true });
    await page.goto(`${exporter.url}/series?id=${encodeURIComponent(id)}`);
    await page.waitForFunction(() => Number(document.body.dataset.backtests ?? 0) >= 1, undefined, {
      timeout: 120_000,
    });
    await page.waitForFunction(() => document.querySelectorAll('#candidates tbody tr').length > 0);
    // the page in two pictures, each under the size limit: down to the events, and the backtest card
    const events = (await page.locator('section[aria-labelledby=events-title]').boundingBox())!;
    await page.screenshot({
      path: join(IMG, 'series.png'),
      fullPage: true,
      clip: { x: 0, y: 0, width: WIDTH, height: Math.ceil(events.y + events.height + 16) },
    });
    await page
      .locator('section[aria-labelledby=backtest-title]')
      .screenshot({ path: join(IMG, 'series-backtest.png') });
  } finally {
    await browser.close();
    await stopAll();
  }
  for (const name of ['landing.png', 'series.png', 'series-backtest.png']) {
    const bytes = statSync(join(IMG, name)).size;
    console.log(`docs/img/${name}: ${Math.round(bytes / 1024)} KB`);
    if (bytes >= MAX_BYTES) throw new Error(`docs/img/${name} is ${bytes} bytes, at least ${MAX_BYTES}`);
  }
}

await main();
