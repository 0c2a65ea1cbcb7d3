/**
 * Re-records test/fixtures/panel-frames.json: runs the real exporter on a sped-up simulation
 * (one simulated minute per second, a spike injected into sim-0), lets an HA pair of real
 * Prometheus servers (external label replica="a" / "b") scrape it every second, and a third one
 * federate both without deduplication, as a global Prometheus over an HA pair does. Then it turns
 * the dashboard's queries (query_range) into the data frames Grafana's Prometheus data source
 * would hand the panel: `frames` from replica a alone (step 1s), `federated` from the global one,
 * where every series comes twice, once per replica (step 5s, to keep the file small).
 * Needs the Debian package prometheus.
 *
 *   npx tsx scripts/record-panel-fixtures.ts [--seconds 150]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startExporter } from '../test/helpers/exporter.js';
import { scrapeJob, startPrometheus, stopAll, waitFor } from '../test/helpers/index.js';

/** The panel's queries by refId, from the dashboard provisioned with the plugin (one source of truth). */
const DASHBOARD = fileURLToPath(
  new URL('../grafana-plugin/provisioning/dashboards/cloudpulse-forecast-panel.json', import.meta.url),
);
const PANEL_QUERIES: Record<string, string> = Object.fromEntries(
  (
    JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
      panels: Array<{ targets: Array<{ refId: string; expr: string }> }>;
    }
  ).panels[0].targets.map((t) => [t.refId, t.expr]),
);

const FIXTURE_CONFIG = `
source:
  simulation:
    instances: 2
    seed: 7
    history: 6h
    speed: 60
    anomalies: false
    inject:
      - { after: 40m, kind: spike, duration: 6m, magnitude: 10, instance: 0 }
      - { after: 80m, kind: level_shift, duration: 30m, magnitude: 6, instance: 1 }
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
    levels: [0.8, 0.95]
    refit_interval: 30m
    thresholds: [0.9]
`;

interface FrameDTO {
  refId: string;
  fields: Array<{ name: string; type: 'time' | 'number'; values: number[]; labels?: Record<string, string> }>;
}

async function queryRange(url: string, query: string, start: number, end: number, step = 1): Promise<FrameDTO[]> {
  const params = new URLSearchParams({ query, start: String(start), end: String(end), step: String(step) });
  const res = await fetch(`${url}/api/v1/query_range?${params}`);
  const body = (await res.json()) as {
    status: string;
    error?: string;
    data: { result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> };
  };
  if (body.status !== 'success') throw new Error(`query_range ${query}: ${body.error}`);
  return body.data.result.map((r) => ({
    refId: '',
    fields: [
      { name: 'Time', type: 'time', values: r.values.map(([t]) => Math.round(t * 1000)) },
      { name: 'Value', type: 'number', values: r.values.map(([, v]) => Number(v)), labels: r.metric },
    ],
  }));
}

async function main() {
  const secondsFlag = process.argv.indexOf('--seconds');
  const seconds = secondsFlag > 0 ? Number(process.argv[secondsFlag + 1]) : 150;
  const exporter = await startExporter(FIXTURE_CONFIG);
  const replica = (name: string) =>
    startPrometheus({
      configYaml: JSON.stringify({
        global: { scrape_interval: '1s', evaluation_interval: '1s', external_labels: { replica: name } },
        scrape_configs: [scrapeJob('cloudpulse', [exporter.url])],
      }),
    });
  const [prometheus, other] = [await replica('a'), await replica('b')];
  const global = await startPrometheus({
    scrapeConfigs: [
      {
        ...scrapeJob('federate', [prometheus.url, other.url]),
        honor_labels: true,
        metrics_path: '/federate',
        params: { 'match[]': ['{__name__=~"cloudpulse_.+"}'] },
      },
    ],
  });
  const startedAt = Math.floor(Date.now() / 1000);
  console.log(`exporter ${exporter.url}, prometheus ${prometheus.url}; recording ${seconds}s`);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const end = Math.floor(Date.now() / 1000);
  await waitFor(async () => (await queryRange(prometheus.url, 'cloudpulse_forecast', startedAt, end)).length > 0, {
    timeout: 10_000,
    what: 'forecasts in Prometheus',
  });
  const frames: FrameDTO[] = [];
  const federated: FrameDTO[] = [];
  for (const [refId, query] of Object.entries(PANEL_QUERIES)) {
    for (const frame of await queryRange(prometheus.url, query, startedAt, end)) frames.push({ ...frame, refId });
    for (const frame of await queryRange(global.url, query, startedAt, end, 5)) federated.push({ ...frame, refId });
  }
  const replicas = new Set(federated.map((f) => f.fields[1].labels?.replica));
  if (replicas.size !== 2) throw new Error(`federated frames come from replicas ${[...replicas]}, not a and b`);
  const anomalous = frames.filter(
    (f) => f.fields[1].labels?.__name__ === 'cloudpulse_anomaly_severity' && f.fields[1].values.some((v) => v > 0),
  );
  const out = fileURLToPath(new URL('../test/fixtures/panel-frames.json', import.meta.url));
  const fixture = {
    recorded: new Date().toISOString(),
    how: 'scripts/record-panel-fixtures.ts: real exporter (simulation, speed 60) scraped every 1s by an HA pair of real Prometheus servers (replica a, b); frames: replica a, query_range step 1s; federated: a global Prometheus federating both, step 5s',
    queries: PANEL_QUERIES,
    config: FIXTURE_CONFIG,
    range: { from: startedAt, to: end },
    frames,
    federated,
  };
  writeFileSync(out, JSON.stringify(fixture) + '\n');
  console.log(
    `${frames.length} frames (${federated.length} federated), ${anomalous.length} series with anomalies, written to ${out}`,
  );
  await stopAll();
}

main().catch(async (error) => {
  console.error(error);
  await stopAll();
  process.exit(1);
});
