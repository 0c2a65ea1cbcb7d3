/**
 * Self-metrics of fleet membership: who this member is, how much it owns, and which entries it
 * cannot narrow to what it owns (it then fetches them whole and keeps its own label sets).
 */
import { Gauge, type Registry } from 'prom-client';
import type { Pipeline } from '../pipeline/pipeline.js';

export function registerClusterMetrics(registers: Registry[], pipeline: () => Pipeline): void {
  new Gauge({
    name: 'cloudpulse_cluster_member_info',
    help: "This process' place in its fleet: its member index, the number of members and the replication factor (1 for a process alone).",
    labelNames: ['member', 'members', 'replication'],
    registers,
    collect() {
      const m = pipeline().membership;
      this.reset();
      this.set({ member: String(m.member), members: String(m.members), replication: String(m.replication) }, 1);
    },
  });
  new Gauge({
    name: 'cloudpulse_cluster_owned_series',
    help: 'Label sets this member owns and models (every label set when alone).',
    registers,
    collect() {
      this.set(pipeline().trackedSeries);
    },
  });
  new Gauge({
    name: 'cloudpulse_cluster_query_narrowed',
    help: "1 when the entry's query is narrowed to the label sets this member owns, 0 when it is fetched whole and filtered (see the start-up warning for why).",
    labelNames: ['series'],
    registers,
    collect() {
      const p = pipeline();
      this.reset();
      for (const entry of p.ownership.keys()) this.set({ series: entry }, p.narrowed(entry) ? 1 : 0);
    },
  });
}
