/**
 * The scale-sim report: the summary tables (shared with the CLI's text output), the load with the
 * ready capacity of every policy over time (the whole trace binned, and a zoom on the reactive
 * HPA's worst shortfall), and the cost/risk frontier of every policy across headroom levels.
 */
import { equalCostRatio, type ScaleSimResult, type StartupResult } from '../scaling/scale-sim.js';
import type { HpaTimeline } from '../scaling/hpa.js';
import { escapeHtml, htmlDocument, htmlTable } from './html.js';
import { formatUnixTick, legendHtml, plotSvg, type LineSeries } from './svg.js';

export interface ScalingReportData {
  title: string;
  /** shown as given; the caller owns the clock */
  generatedAt: string;
  input: string;
  /** one line describing the planner and protocol settings */
  settings: string;
  utilisation: number;
  result: ScaleSimResult;
}

const COLORS: Record<string, string> = {
  predictive: '#1f5fbf',
  reactive: '#c0392b',
  recent_max: '#27ae60',
  day_ago: '#8e44ad',
};
const colorOf = (policy: string) => COLORS[policy] ?? '#7f8c8d';
const LOAD = '#222222';

const fixed = (v: number, digits: number) => (Number.isFinite(v) ? v.toFixed(digits) : '-');
const signedPct = (h: number) => `${h >= 0 ? '+' : ''}${(h * 100).toFixed(1)}%`;

/** Header and rows of the per-start-up summary, as printed by the CLI and shown in the report. */
export function startupTable(s: StartupResult, reference: string): { headers: string[]; rows: string[][] } {
  const headers = [
    'policy',
    'headroom',
    'under-prov min',
    'unserved %',
    'replica-min',
    'scale events',
    `${reference} / this`,
  ];
  const rows: string[][] = [];
  const ref = s.runs.find((r) => r.policy === reference && r.headroom === 0)!;
  for (const r of s.runs.filter((x) => x.headroom === 0)) {
    rows.push([
      r.policy,
      signedPct(0),
      fixed(r.score.underProvisionedMinutes, 1),
      fixed(r.score.unservedShare * 100, 4),
      fixed(r.score.replicaMinutes, 0),
      fixed(r.score.scaleEvents, 0),
      r.policy === reference ? '' : '(own cost)',
    ]);
  }
  for (const e of s.equalCost) {
    rows.push([
      `${e.policy} @ equal cost`,
      signedPct(e.headroom) + (e.matched ? '' : ' (unmatched)'),
      fixed(e.score.underProvisionedMinutes, 1),
      fixed(e.score.unservedShare * 100, 4),
      fixed(e.score.replicaMinutes, 0),
      fixed(e.score.scaleEvents, 0),
      fixed(equalCostRatio(ref.score, e.score), 3),
    ]);
  }
  return { headers, rows };
}

/** Bins of a per-sync series: max of the load, min of the capacity, so shortfalls stay visible. */
function binned(x: ArrayLike<number>, bins: number, pick: 'max' | 'min'): { index: number[]; value: number[] } {
  const per = Math.max(1, Math.ceil(x.length / bins));
  const index: number[] = [];
  const value: number[] = [];
  for (let a = 0; a < x.length; a += per) {
    let v = NaN;
    for (let i = a; i < Math.min(x.length, a + per); i++) {
      if (Number.isNaN(v) || (pick === 'max' ? x[i] > v : x[i] < v)) v = x[i];
    }
    index.push(a);
    value.push(v);
  }
  return { index, value };
}

function capacityPlot(
  data: ScalingReportData,
  timelines: { policy: string; timeline: HpaTimeline }[],
  from: number,
  to: number,
  title: string,
  bins: number,
): string {
  const { result, utilisation } = data;
  const perReplica = result.target / utilisation;
  const t0 = timelines[0].timeline;
  const seconds = (k: number) => result.start + t0.time[k];
  const loadAt = Float64Array.from(
    { length: to - from },
    (_, j) => result.load[Math.floor(t0.time[from + j] / result.step)],
  );
  const loadBins = binned(loadAt, bins, 'max');
  const lines: LineSeries[] = [
    { x: loadBins.index.map((i) => seconds(from + i)), y: loadBins.value, color: LOAD, width: 1 },
  ];
  for (const { policy, timeline } of timelines) {
    const capacity = Float64Array.from({ length: to - from }, (_, j) => timeline.ready[from + j] * perReplica);
    const b = binned(capacity, bins, 'min');
    lines.push({ x: b.index.map((i) => seconds(from + i)), y: b.value, color: colorOf(policy), width: 1.2 });
  }
  return plotSvg({ title, lines, width: 1100, height: 260, formatX: formatUnixTick });
}

/**
 * Centre (sync index) of the `width`-sync window in which the reactive HPA was short most often
 * in the scored part: where the score is made, rather than one freak spike.
 */
function busiestShortfall(data: ScalingReportData, timeline: HpaTimeline, width: number): number {
  const { result, utilisation } = data;
  const perReplica = result.target / utilisation;
  const n = timeline.time.length;
  const short = new Uint8Array(n);
  for (let k = 0; k < n; k++) {
    const b = Math.floor(timeline.time[k] / result.step);
    short[k] = b >= result.scoreFrom && result.load[b] > timeline.ready[k] * perReplica ? 1 : 0;
  }
  let count = 0;
  let best = -1;
  let at = Math.floor(n / 2);
  for (let k = 0; k < n; k++) {
    count += short[k] - (k >= width ? short[k - width] : 0);
    if (count > best) [best, at] = [count, Math.max(0, k - Math.floor(width / 2))];
  }
  return at;
}

function frontierPlot(s: StartupResult, policies: string[]): string {
  const base = s.runs.find((r) => r.policy === 'reactive' && r.headroom === 0) ?? s.runs[0];
  const lines: LineSeries[] = policies.map((policy) => {
    const runs = s.runs.filter((r) => r.policy === policy).sort((a, b) => a.headroom - b.headroom);
    return {
      x: runs.map((r) => r.score.replicaMinutes / base.score.replicaMinutes),
      y: runs.map((r) => r.score.underProvisionedMinutes),
      color: colorOf(policy),
      width: 1.6,
    };
  });
  return plotSvg({
    title: `under-provisioned minutes vs replica-minutes / reactive's, headroom +0..+100% (${s.startup}s start-up)`,
    lines,
    width: 720,
    height: 300,
  });
}

export function renderScalingReport(data: ScalingReportData): string {
  const { result } = data;
  const policies = [...new Set(result.startups[0].runs.map((r) => r.policy))];
  const legend = legendHtml([
    { label: 'load', color: LOAD, kind: 'line' },
    ...policies.map((p) => ({ label: `${p}: ready capacity`, color: colorOf(p), kind: 'line' as const })),
  ]);
  const parts: string[] = [
    `<p class="meta">input ${escapeHtml(data.input)} · step ${result.step}s · per-replica target ${fixed(result.target, 4)} ` +
      `(a ready replica serves target / ${data.utilisation}) · first ${result.scoreFrom} steps not scored · generated ${escapeHtml(data.generatedAt)}</p>`,
    `<p class="meta">${escapeHtml(data.settings)}</p>`,
  ];
  for (const s of result.startups) {
    const t = startupTable(s, result.reference);
    parts.push(`<h2>Start-up ${s.startup}s (lead time ${s.leadTime}s)</h2>`, htmlTable(t.headers, t.rows));
  }
  const recorded = result.startups.find((s) => s.timelines);
  if (recorded?.timelines) {
    const tl = recorded.timelines;
    const n = tl[0].timeline.time.length;
    const reactive = tl.find((x) => x.policy === 'reactive')?.timeline ?? tl[0].timeline;
    const syncSeconds = tl[0].timeline.time[1] - tl[0].timeline.time[0] || 15;
    const centre = busiestShortfall(data, reactive, Math.round((6 * 3600) / syncSeconds));
    const around = (hours: number): [number, number] => {
      const half = Math.round((hours * 3600) / 2 / syncSeconds);
      return [Math.max(0, centre - half), Math.min(n, centre + half)];
    };
    parts.push(
      `<h2>Load and ready capacity at ${recorded.startup}s start-up</h2>`,
      legend,
      capacityPlot(data, tl, ...around(6), 'the six hours in which the reactive HPA was short most often', 1500),
      capacityPlot(data, tl, ...around(48), 'two days around it (per bin: highest load, lowest capacity)', 1000),
      '<h2>Cost and risk</h2>',
      frontierPlot(recorded, policies),
      legendHtml(policies.map((p) => ({ label: p, color: colorOf(p), kind: 'line' as const }))),
    );
  }
  return htmlDocument(data.title, parts.join('\n'));
}
