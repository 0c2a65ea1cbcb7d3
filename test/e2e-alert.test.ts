/**
 * End to end, real binaries on loopback: the CloudPulse exporter on a fast simulation (150
 * simulated seconds per real second) with one anomaly injected at a known time, a real
 * `prometheus` scraping it every second with honor_labels and evaluating rules/, and a real
 * `prometheus-alertmanager` posting to a webhook served by this test. Asserts that the sustained-
 * anomaly alert arrives for exactly the injected series and instance, with the severity the
 * episode reached, within a bounded time, and that no anomaly alert arrives before the injection.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { parseDuration } from '../exporter/src/util/duration.js';
import { samples, startExporter } from './helpers/exporter.js';
import {
  scrapeJob,
  startAlertmanager,
  startPrometheus,
  startWebhookReceiver,
  stopAll,
  tempDir,
  waitFor,
  type WebhookReceiver,
} from './helpers/index.js';
import { documentedMetrics, ruleFiles, undocumentedMetrics } from './support/cloudpulse-repo.js';

const SPEED = 150; // simulated seconds per real second
const INTERVAL_S = 2; // one cycle = 300 simulated seconds = one 5m step
const INJECT_AFTER_S = 3600; // simulated seconds after exporter start
const SERIES = 'node_network_receive_bytes';
const INSTANCE = 'sim-1:9100';
/** real seconds the alert may take after the injection: detection, scrape, evaluation, for:, routing */
const ALERT_DEADLINE_S = 45;

const EXPORTER_CONFIG = `
source:
  simulation:
    instances: 2
    seed: 7
    history: 2d
    anomalies: false
    speed: ${SPEED}
    # pinned, so the data is the same whenever the test runs: the simulated network bytes have a
    # heavy tail (bursts up to x40, part of normal), and a real one rightly alerts. Around this
    # start the history holds several bursts (up to x20) and the live hours before the injection none.
    start: 2026-01-05T12:00:00Z
    inject:
      - after: ${INJECT_AFTER_S}s
        kind: spike
        duration: 15m
        magnitude: 20
        instance: 1
        series: ${SERIES}
schedule:
  interval: ${INTERVAL_S}s
series:
  - name: ${SERIES}
    query: sum by (instance) (rate(node_network_receive_bytes_total{device!="lo"}[5m]))
    simulate: network
    step: 5m
    lookback: 2d
    horizons: [15m, 1h]
    refit_interval: 6h
`;

const SEVERITY_LEVEL: Record<string, number> = { low: 1, medium: 2, high: 3, critical: 4 };

/**
 * A copy of every rule file for this test only. The shipped `for:` durations are in real minutes,
 * while the simulation runs SPEED times faster, so the anomaly group's `for:` is divided by SPEED
 * (5m -> 2s). Nothing else changes: expressions, thresholds and labels are the shipped ones.
 */
function renderTestRules(dir: string): string[] {
  return ruleFiles().map((file) => {
    const doc = parse(readFileSync(file.path, 'utf8')) as { groups: { name: string; rules: { for?: string }[] }[] };
    for (const group of doc.groups) {
      if (group.name !== 'cloudpulse.anomaly') continue;
      for (const rule of group.rules) {
        if (rule.for) rule.for = `${Math.max(1, Math.round(parseDuration(rule.for)! / SPEED))}s`;
      }
    }
    const out = join(dir, basename(file.path));
    writeFileSync(out, stringify(doc, { aliasDuplicateObjects: false }));
    return out;
  });
}

interface Notification {
  status: string;
  alerts: { status: string; labels: Record<string, string>; startsAt: string }[];
}

/** Stamps each webhook body with the (real) time this test first saw it. */
function stampArrivals(receiver: WebhookReceiver): { arrivals: { at: number; body: Notification }[]; stop(): void } {
  const arrivals: { at: number; body: Notification }[] = [];
  const timer = setInterval(() => {
    while (arrivals.length < receiver.received.length) {
      arrivals.push({ at: Date.now(), body: receiver.received[arrivals.length] as Notification });
    }
  }, 50);
  return { arrivals, stop: () => clearInterval(timer) };
}

async function promQuery(
  url: string,
  query: string,
): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(query)}`);
  const body = (await res.json()) as {
    status: string;
    data: { result: { metric: Record<string, string>; value: [number, string] }[] };
  };
  if (body.status !== 'success') throw new Error(`query ${query} failed: ${JSON.stringify(body)}`);
  return body.data.result;
}

afterAll(stopAll);

describe('anomaly alert end to end', () => {
  it('delivers CloudPulseAnomalySustained for the injected spike, and nothing before it', async () => {
    const webhook = await startWebhookReceiver();
    const stamps = stampArrivals(webhook);
    try {
      const alertmanager = await startAlertmanager({ webhookUrl: webhook.url });

      // Lower bound of the injection's real time: the exporter's clock starts after this moment.
      const beforeStart = Date.now();
      const exporter = await startExporter(EXPORTER_CONFIG, ['--log.level=warn']);
      const injectedNoEarlierThan = beforeStart + (INJECT_AFTER_S / SPEED) * 1000;

      const prometheusStarted = Date.now();
      const prometheus = await startPrometheus({
        // honor_labels keeps the simulated instance/job labels, as the ServiceMonitor does.
        scrapeConfigs: [{ ...scrapeJob('cloudpulse', [exporter.url], '1s'), honor_labels: true }],
        ruleFiles: renderTestRules(tempDir('e2e-rules')),
        alertmanagerUrl: alertmanager.url,
        interval: '1s',
      });

      // Every shipped rule loads and evaluates cleanly in the real Prometheus.
      await waitFor(
        async () => {
          const body = (await (await fetch(`${prometheus.url}/api/v1/rules`)).json()) as {
            data: { groups: { rules: { name: string; health: string; lastError?: string }[] }[] };
          };
          const rules = body.data.groups.flatMap((g) => g.rules);
          const bad = rules.filter((r) => r.health === 'err');
          if (bad.length) throw new Error(`rules failing: ${JSON.stringify(bad)}`);
          return (
            rules.length === ruleFiles().flatMap((f) => f.groups.flatMap((g) => g.rules)).length &&
            rules.every((r) => r.health === 'ok')
          );
        },
        { timeout: 30_000, what: 'all rules loaded and evaluated ok' },
      );

      const text = await waitFor(
        async () => {
          const t = await exporter.metrics();
          return samples(t, 'cloudpulse_anomaly').length === 2 ? t : undefined;
        },
        { timeout: 60_000, what: 'cloudpulse_anomaly for both simulated instances' },
      );
      // The exporter's /metrics holds only documented cloudpulse_* families, of the documented type.
      const docs = documentedMetrics();
      const families = [...text.matchAll(/^# TYPE (cloudpulse_\w+) (\w+)$/gm)].map((m) => ({ name: m[1], type: m[2] }));
      expect(families.flatMap((f) => undocumentedMetrics(f.name, docs))).toEqual([]);
      for (const f of families) expect(docs.get(f.name)?.type, `docs/metrics.md type of ${f.name}`).toBe(f.type);

      // Wait past the injection plus the deadline, then judge everything the webhook received.
      const deadline = injectedNoEarlierThan + ALERT_DEADLINE_S * 1000;
      const isAnomalyAlert = (a: { labels: Record<string, string> }) =>
        a.labels.alertname?.startsWith('CloudPulseAnomaly');
      const firing = await waitFor(
        () => {
          const found = stamps.arrivals.flatMap((n) =>
            n.body.alerts
              .filter((a) => a.status === 'firing' && isAnomalyAlert(a))
              .map((a) => ({ at: n.at, alert: a })),
          );
          return found.length > 0 ? found : undefined;
        },
        {
          timeout: Math.max(1000, deadline - Date.now()),
          interval: 250,
          what: `an anomaly alert within ${ALERT_DEADLINE_S}s of the injection`,
        },
      ).catch(async (err: Error) => {
        const peak = await promQuery(prometheus.url, `max_over_time(cloudpulse_anomaly_severity[10m])`).catch(() => []);
        throw new Error(
          `${err.message}\nwebhook got: ${JSON.stringify(stamps.arrivals.map((a) => a.body.alerts.map((x) => x.labels)))}\n` +
            `peak severities: ${JSON.stringify(peak.map((r) => [r.metric.instance, r.value[1]]))}\n--- exporter ---\n${exporter.process.logs()}`,
        );
      });
      await sleep(3000); // let the other levels of the same episode arrive too

      const all = stamps.arrivals.flatMap((n) =>
        n.body.alerts.filter((a) => a.status === 'firing' && isAnomalyAlert(a)).map((a) => ({ at: n.at, alert: a })),
      );
      // Nothing anomalous was announced before the anomaly existed. Prometheus stamps samples with
      // the time a scrape began, so a scrape that began just before the injection and was answered
      // after it carries the anomaly at an earlier time: startsAt may lead by one scrape's duration.
      const [longestScrape] = await promQuery(
        prometheus.url,
        `max_over_time(scrape_duration_seconds{job="cloudpulse"}[10m])`,
      );
      const scrapeSlackMs = Math.ceil(Number(longestScrape.value[1]) * 1000);
      expect(scrapeSlackMs, 'longest scrape of the exporter (ms)').toBeLessThan(1000);
      for (const { at, alert } of all) {
        expect(at, `anomaly alert ${JSON.stringify(alert.labels)} arrived before the injection`).toBeGreaterThanOrEqual(
          injectedNoEarlierThan,
        );
        expect(Date.parse(alert.startsAt)).toBeGreaterThanOrEqual(injectedNoEarlierThan - scrapeSlackMs);
      }
      expect(firing[0].at).toBeLessThanOrEqual(deadline);
      // Not even pending: Prometheus's own ALERTS series has no anomaly alert in any state before
      // the injection (the @ modifier evaluates the range as of that moment).
      const sincePrometheusStart = Math.max(1, Math.floor((injectedNoEarlierThan - prometheusStarted) / 1000));
      const early = await promQuery(
        prometheus.url,
        `count_over_time(ALERTS{alertname=~"CloudPulseAnomaly.*"}[${sincePrometheusStart}s] @ ${injectedNoEarlierThan / 1000})`,
      );
      expect(early.map((r) => r.metric)).toEqual([]);
      // ...and that window was long enough to mean something: Prometheus had been scraping the
      // injected instance's anomaly state for several seconds before the injection.
      const observed = await promQuery(
        prometheus.url,
        `count_over_time(cloudpulse_anomaly{series="${SERIES}", instance="${INSTANCE}"}[${sincePrometheusStart}s] @ ${injectedNoEarlierThan / 1000})`,
      );
      expect(
        Number(observed[0]?.value[1] ?? 0),
        'scrapes of the injected instance before the injection',
      ).toBeGreaterThanOrEqual(5);
      // The self-monitoring rules saw the same exporter: simulated data is pending (its for: is 15m).
      const simulated = await promQuery(prometheus.url, `ALERTS{alertname="CloudPulseRunningOnSimulatedData"}`);
      expect(simulated.map((r) => [r.metric.series, r.metric.alertstate])).toEqual([[SERIES, 'pending']]);

      // Only the injected series and instance alerted, with the source's labels carried through.
      for (const { alert } of all) {
        expect(alert.labels).toMatchObject({
          alertname: 'CloudPulseAnomalySustained',
          series: SERIES,
          instance: INSTANCE,
          job: 'node',
        });
      }

      // The severity labels agree with the peak severity Prometheus recorded for the episode.
      const [peakSample] = await promQuery(
        prometheus.url,
        `max_over_time(cloudpulse_anomaly_severity{series="${SERIES}", instance="${INSTANCE}"}[5m])`,
      );
      const peak = Number(peakSample.value[1]);
      expect(peak, 'the injected spike should reach at least medium severity').toBeGreaterThanOrEqual(2);
      const routing: Record<string, string> = { medium: 'info', high: 'warning', critical: 'critical' };
      const levels = new Set<number>();
      for (const { alert } of all) {
        const level = SEVERITY_LEVEL[alert.labels.anomaly_severity];
        expect(level, `anomaly_severity ${alert.labels.anomaly_severity}`).toBeGreaterThanOrEqual(2);
        expect(level).toBeLessThanOrEqual(peak);
        expect(alert.labels.severity).toBe(routing[alert.labels.anomaly_severity]);
        levels.add(level);
      }
      // The alert for the episode's own peak level (the shortest `for:`) is among them.
      expect(levels.has(Math.min(peak, 4)), `no alert at the peak level ${peak}: got ${[...levels]}`).toBe(true);
    } finally {
      stamps.stop();
      await webhook.close();
    }
  });
});
