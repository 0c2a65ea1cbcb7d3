/**
 * A stand-in for the Prometheus query API, only for what a real Prometheus cannot produce on
 * demand: label names Prometheus 2 refuses (UTF-8 names arrive from Prometheus 3), and a server
 * that accepts a query and never answers. Everything else is tested against the real binary.
 */
import { createServer, type Server } from 'node:http';

export interface FakeSeries {
  labels: Record<string, string>;
  /** the value at unix time t */
  value(t: number): number;
}

export interface FakePrometheus {
  url: string;
  /** queries received so far */
  queries: number;
  /** when true, requests are accepted and never answered */
  hang: boolean;
  close(): Promise<void>;
}

export async function startFakePrometheus(series: FakeSeries[]): Promise<FakePrometheus> {
  const state = { queries: 0, hang: false };
  const server: Server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      state.queries++;
      if (state.hang) return; // the socket stays open: the client's timeout or abort must end it
      const p = new URLSearchParams(Buffer.concat(parts).toString());
      const start = Number(p.get('start'));
      const end = Number(p.get('end'));
      const step = Number(p.get('step'));
      const result = series.map((s) => {
        const values: Array<[number, string]> = [];
        for (let t = start; t <= end; t += step) values.push([t, String(s.value(t))]);
        return { metric: s.labels, values };
      });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'success', data: { resultType: 'matrix', result } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    get queries() {
      return state.queries;
    },
    get hang() {
      return state.hang;
    },
    set hang(v: boolean) {
      state.hang = v;
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
