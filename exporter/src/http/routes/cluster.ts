/**
 * What this member serves to the other members of its fleet: its own records of one entry that
 * match label matchers (`GET /api/v1/cluster/records?series=cpu&labels=instance="a"`), as the
 * KEDA scaler of any member reads them. Answers only from this member's store; never forwards.
 */
import type { FastifyInstance } from 'fastify';
import { toWire } from '../../cluster/record-wire.js';
import type { Membership } from '../../cluster/membership.js';
import { compileMatchers, MatcherSyntaxError, parseMatchers } from '../../scaler/matchers.js';
import type { SeriesStoreReader } from '../../store/series-store.js';

export interface ClusterRouteOptions {
  store: SeriesStoreReader;
  membership: Membership;
}

export default async function clusterRoutes(app: FastifyInstance, opts: ClusterRouteOptions) {
  app.get<{ Querystring: { series?: string; labels?: string } }>('/api/v1/cluster/records', async (req, reply) => {
    const { series, labels } = req.query;
    if (!series) return reply.code(400).send({ error: 'CLOUDPULSE_BAD_REQUEST', message: 'series: required' });
    let matches: (l: Record<string, string>) => boolean;
    try {
      matches = compileMatchers(parseMatchers(labels ?? ''));
    } catch (err) {
      if (!(err instanceof MatcherSyntaxError)) throw err;
      return reply.code(400).send({ error: 'CLOUDPULSE_BAD_REQUEST', message: `labels: ${err.message}` });
    }
    const m = opts.membership;
    const records = [];
    for (const r of opts.store.records(series)) if (matches(r.labels)) records.push(toWire(r));
    return { member: m.member, members: m.members, replication: m.replication, records };
  });
}
