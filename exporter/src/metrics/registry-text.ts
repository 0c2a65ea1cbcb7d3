/**
 * The registry's metrics as exposition text, in the Prometheus text format 0.0.4 or OpenMetrics
 * 1.0, written here rather than by prom-client for two reasons: each metric is collected inside
 * its own failure boundary (prom-client fails the whole output when one collect throws), and
 * prom-client can only switch formats by renaming counters in place, which breaks the other format.
 */
import type { Registry } from 'prom-client';
import { escapeLabelValue, formatValue } from '../store/exposition.js';
import type { Logger } from '../util/logger.js';

/**
 * Default Node.js metrics that `promtool check metrics` rejects (gauges named `_total`); their
 * unsuffixed twins (nodejs_active_handles etc.) carry the same numbers by type.
 */
const LINT_FAILURES = new Set([
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
]);

interface MetricValue {
  value: number;
  labels?: Record<string, string | number>;
  metricName?: string;
}

interface MetricData {
  name: string;
  help: string;
  type: string;
  values?: MetricValue[];
}

interface Collectable {
  name: string;
  get(): Promise<MetricData> | MetricData;
}

const escapeHelp = (text: string, openMetrics: boolean) => {
  const t = text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
  return openMetrics ? t.replace(/"/g, '\\"') : t;
};

function renderLabels(labels: Record<string, string | number> | undefined): string {
  if (!labels) return '';
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabelValue(String(v))}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

export class RegistryText {
  private readonly failing = new Set<string>();

  constructor(
    private readonly registry: Registry,
    private readonly logger: Logger,
    /** counts a metric whose collection failed */
    private readonly onError: (metric: string) => void = () => {},
  ) {}

  async render(openMetrics: boolean): Promise<string> {
    const out: string[] = [];
    for (const metric of this.registry.getMetricsAsArray() as unknown as Collectable[]) {
      if (LINT_FAILURES.has(metric.name)) continue;
      let data: MetricData;
      try {
        data = await metric.get();
        this.failing.delete(metric.name);
      } catch (err) {
        this.onError(metric.name);
        // logged once per failing spell, not at every scrape
        if (!this.failing.has(metric.name))
          this.logger.warn({ metric: metric.name, err: (err as Error).message }, 'metric collection failed; omitted');
        this.failing.add(metric.name);
        continue;
      }
      const family = openMetrics && data.type === 'counter' ? data.name.replace(/_total$/, '') : data.name;
      out.push(`# HELP ${family} ${escapeHelp(data.help, openMetrics)}\n# TYPE ${family} ${data.type}\n`);
      for (const v of data.values ?? []) {
        let name = v.metricName ?? data.name;
        if (openMetrics && data.type === 'counter' && !name.endsWith('_total')) name += '_total';
        out.push(`${name}${renderLabels(v.labels)} ${formatValue(v.value)}\n`);
      }
    }
    if (openMetrics) out.push('# EOF\n');
    return out.join('');
  }
}
