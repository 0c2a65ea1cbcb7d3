/**
 * What the scale benchmark watches while the exporter runs: scrapes of /metrics every 15 s (gzip
 * accepted, as Prometheus asks), its progress through /api/v1/status every second, and the
 * process' CPU time and resident memory from /proc. Every observation carries its time, so the
 * driver can split them into phases afterwards.
 */
import { readFileSync } from 'node:fs';
import { request } from 'undici';

export interface Scrape {
  /** seconds since the run started */
  at: number;
  ms: number;
  status: number;
  /** bytes on the wire (gzip) */
  bytes: number;
  error?: string;
}

export interface Status {
  at: number;
  /** how long /api/v1/status took: every second, a finer measure of a held event loop than scrapes */
  ms: number;
  series: number;
  forecasting: number;
  waitingFirstFit: number;
  /** refits due and waiting: after a first load, the refit of every series on its whole history */
  refitsDue?: number;
  warmingUp: number;
  /** the exporter's own measure of its main thread: the largest event-loop delay in the last 10 s */
  eventLoopDelayMs?: { max10s: number; max60s: number };
}

export interface ProcSample {
  at: number;
  /** user + system CPU seconds of the whole process (all threads) */
  cpu: number;
  rssBytes: number;
}

const TICKS = 100; // Linux USER_HZ

export function procSample(pid: number, at: number): ProcSample | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // fields after the parenthesised command: state is field 3, utime 14, stime 15
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpu = (Number(fields[11]) + Number(fields[12])) / TICKS;
    const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return { at, cpu, rssBytes: rss ? Number(rss[1]) * 1024 : NaN };
  } catch {
    return undefined;
  }
}

export class Observer {
  readonly scrapes: Scrape[] = [];
  readonly statuses: Status[] = [];
  readonly procs: ProcSample[] = [];
  /** the Prometheus serving the data, when there is one: its CPU competes for the same cores */
  readonly sourceProcs: ProcSample[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly t0 = performance.now();

  constructor(
    private readonly url: string,
    private readonly pid: number,
    private readonly scrapePath = '/metrics',
    private readonly sourcePid?: number,
  ) {}

  now(): number {
    return (performance.now() - this.t0) / 1000;
  }

  start(scrapeEverySeconds = 15): void {
    void this.scrape();
    this.timers.push(setInterval(() => void this.scrape(), scrapeEverySeconds * 1000));
    this.timers.push(setInterval(() => void this.status(), 1000));
    this.timers.push(
      setInterval(() => {
        const s = procSample(this.pid, this.now());
        if (s) this.procs.push(s);
        const p = this.sourcePid === undefined ? undefined : procSample(this.sourcePid, this.now());
        if (p) this.sourceProcs.push(p);
      }, 2000),
    );
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
  }

  private async scrape(): Promise<void> {
    const at = this.now();
    const t = performance.now();
    try {
      // a scrape timeout like Prometheus' default (10 s), made longer so slow scrapes are measured
      const res = await request(this.url + this.scrapePath, {
        headers: { 'accept-encoding': 'gzip', accept: 'text/plain;version=0.0.4' },
        headersTimeout: 60_000,
        bodyTimeout: 60_000,
      });
      const body = Buffer.from(await res.body.arrayBuffer());
      this.scrapes.push({ at, ms: performance.now() - t, status: res.statusCode, bytes: body.length });
    } catch (err) {
      this.scrapes.push({ at, ms: performance.now() - t, status: 0, bytes: 0, error: (err as Error).message });
    }
  }

  private async status(): Promise<void> {
    const at = this.now();
    const t = performance.now();
    try {
      const res = await request(this.url + '/api/v1/status', { headersTimeout: 5000, bodyTimeout: 5000 });
      const s = (await res.body.json()) as Omit<Status, 'at' | 'ms'>;
      this.statuses.push({ ...s, at, ms: performance.now() - t });
    } catch {
      // not up yet, or busy: the scrape series shows it
    }
  }

  /**
   * Every 5 s up to `until`: series known and forecasting, first fits waiting, the slowest status
   * probe, and the CPU share
   * (of one core) of the exporter and of the source Prometheus since the previous row.
   */
  timeline(until: number) {
    const rows = [];
    const cpuAt = (procs: ProcSample[], t: number) => procs.findLast((p) => p.at <= t);
    for (let t = 5; t <= until + 5; t += 5) {
      const s = this.statuses.findLast((x) => x.at <= t);
      const share = (procs: ProcSample[]) => {
        const a = cpuAt(procs, t - 5);
        const b = cpuAt(procs, t);
        return a && b && b.at > a.at ? Number(((b.cpu - a.cpu) / (b.at - a.at)).toFixed(2)) : undefined;
      };
      rows.push({
        at: t,
        series: s?.series,
        forecasting: s?.forecasting,
        waitingFirstFit: s?.waitingFirstFit,
        refitsDue: s?.refitsDue,
        probeMaxMs: Math.round(Math.max(0, ...this.statuses.filter((x) => x.at > t - 5 && x.at <= t).map((x) => x.ms))),
        exporterCpu: share(this.procs),
        sourceCpu: share(this.sourceProcs),
      });
    }
    return rows;
  }

  /** first time every one of `expected` series had a forecast, and when the warm-up queues emptied */
  milestones(expected: number): { allForecast?: number; warm?: number; fullRefitSeconds?: number } {
    const all = this.statuses.find((s) => s.series >= expected && s.forecasting >= expected);
    // warm: first fits, the refits on the whole history, and the detectors' pass all done
    const warm = this.statuses.find(
      (s) =>
        s.series >= expected &&
        s.forecasting >= expected &&
        s.waitingFirstFit === 0 &&
        (s.refitsDue ?? 0) === 0 &&
        s.warmingUp === 0 &&
        s.at >= (all?.at ?? Infinity),
    );
    // the refit of (nearly) every series at once after the first load: when it began and ended
    const refitFrom = this.statuses.find((s) => (s.refitsDue ?? 0) >= expected / 2);
    const refitTo = refitFrom && this.statuses.find((s) => s.at > refitFrom.at && (s.refitsDue ?? 0) === 0);
    return {
      allForecast: all?.at,
      warm: warm?.at,
      fullRefitSeconds: refitFrom && refitTo ? refitTo.at - refitFrom.at : undefined,
    };
  }
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
}

/** latency of the 1 s status probe between two times */
export function probeSummary(statuses: Status[], from: number, to: number) {
  const inside = statuses.filter((s) => s.at >= from && s.at < to);
  const ms = inside.map((s) => s.ms);
  const loop = inside.map((s) => s.eventLoopDelayMs?.max10s).filter((v): v is number => v !== undefined);
  return {
    probes: ms.length,
    /** the main thread's largest event-loop delay, as the exporter measured it */
    eventLoopDelayMaxMs: loop.length ? Math.max(...loop) : NaN,
    p50: percentile(ms, 0.5),
    p99: percentile(ms, 0.99),
    max: ms.length ? Math.max(...ms) : NaN,
  };
}

export function latencySummary(scrapes: Scrape[]) {
  const ms = scrapes.map((s) => s.ms);
  return {
    scrapes: scrapes.length,
    failed: scrapes.filter((s) => s.status !== 200).length,
    p50: percentile(ms, 0.5),
    p99: percentile(ms, 0.99),
    max: ms.length ? Math.max(...ms) : NaN,
  };
}

/** CPU used between two times, as a share of one core */
export function cpuShare(procs: ProcSample[], from: number, to: number): number {
  const inside = procs.filter((p) => p.at >= from && p.at <= to);
  if (inside.length < 2) return NaN;
  const a = inside[0];
  const b = inside[inside.length - 1];
  return (b.cpu - a.cpu) / (b.at - a.at);
}

/** median RSS between two times */
export function rssAt(procs: ProcSample[], from: number, to: number): number {
  return percentile(
    procs.filter((p) => p.at >= from && p.at <= to).map((p) => p.rssBytes),
    0.5,
  );
}
