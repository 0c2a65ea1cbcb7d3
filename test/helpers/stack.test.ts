/** The integration helpers themselves: they find binaries, restart Prometheus in place, route alerts. */
import { afterAll, describe, expect, it } from 'vitest';
import {
  findBinary,
  scrapeJob,
  startAlertmanager,
  startNodeExporter,
  startPrometheus,
  startWebhookReceiver,
  stopAll,
  waitFor,
} from './index.js';

afterAll(stopAll);

async function instantValue(url: string, query: string, time: number): Promise<string | undefined> {
  const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(query)}&time=${time}`);
  const body = (await res.json()) as { data: { result: { value: [number, string] }[] } };
  return body.data.result[0]?.value[1];
}

describe('integration helpers', () => {
  it('names the Debian package when a binary is missing', () => {
    expect(findBinary('prometheus')).toMatch(/\/prometheus$/);
    expect(() => findBinary('promtool-that-does-not-exist')).toThrow(/not found: install the Debian package/);
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      expect(() => findBinary('prometheus')).toThrow(
        'prometheus not found: install the Debian package `prometheus` (apt-get install prometheus)',
      );
    } finally {
      process.env.PATH = path;
    }
  });

  it('stops Prometheus and brings it back on the same port with its data', async () => {
    const node = await startNodeExporter();
    const prom = await startPrometheus({ scrapeConfigs: [scrapeJob('node', [node.url])] });
    const t = await waitFor(
      async () => {
        const now = Math.floor(Date.now() / 1000) - 1;
        return (await instantValue(prom.url, 'up{job="node"}', now)) === '1' ? now : undefined;
      },
      { what: 'a first scrape of node-exporter' },
    );
    await prom.stop();
    expect(prom.process.alive).toBe(false);
    await expect(fetch(`${prom.url}/-/ready`)).rejects.toThrow();
    await prom.start();
    expect(prom.url).toBe(`http://127.0.0.1:${prom.port}`);
    expect(await instantValue(prom.url, 'up{job="node"}', t)).toBe('1');
    await prom.restart();
    expect(await instantValue(prom.url, 'up{job="node"}', t)).toBe('1');
  });

  it('delivers an alert through a real Alertmanager to the webhook receiver', async () => {
    const hook = await startWebhookReceiver();
    try {
      const am = await startAlertmanager({ webhookUrl: hook.url });
      const res = await fetch(`${am.url}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([{ labels: { alertname: 'HelperTest', severity: 'warning' } }]),
      });
      expect(res.status).toBe(200);
      const payload = (await waitFor(() => hook.received[0], { what: 'a webhook notification', timeout: 20_000 })) as {
        alerts: { labels: Record<string, string>; status: string }[];
      };
      expect(payload.alerts[0].labels.alertname).toBe('HelperTest');
      expect(payload.alerts[0].status).toBe('firing');
    } finally {
      await hook.close();
    }
  });
});
