/** The `cluster:` section of the configuration (schema.ts holds the rest). */
import { z } from 'zod';
import { duration } from './duration-schema.js';

/**
 * Several members sharing a fleet (docs/fleet.md): a series is owned by the members (h + r) mod N,
 * r = 0..replication-1, where h is what a Prometheus `hashmod` relabel rule over `shard_by` with
 * modulus N computes. Cross-key checks (member below members, replication at most members) run at
 * start, after the --cluster.* flags apply (cluster/membership.ts).
 */
export const clusterSection = z.strictObject({
  members: z.number().int().min(1, 'expected at least 1 member').default(1),
  /** this member's index; default: the trailing ordinal of the hostname (StatefulSet pod `cloudpulse-2`) */
  member: z.number().int().min(0, 'expected a member index >= 0').optional(),
  replication: z.number().int().min(1, 'expected at least 1 owner per series').default(1),
  /** label names (as the source returns them; `series` is the entry name) whose values decide ownership */
  shard_by: z
    .array(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'expected a label name'))
    .min(1, 'expected at least one label name')
    .default(['instance']),
  /** how a member reaches member {member}: a URL template for forwarded API and scaler requests */
  peer_url: z
    .string()
    .refine((v) => v.includes('{member}'), 'expected a URL template containing {member}')
    .refine((v) => URL.canParse(v.replaceAll('{member}', '0')), 'expected an http(s) URL template')
    .optional(),
  /**
   * How a member authenticates to its peers' HTTP listeners (when they require it): a bearer
   * token (default: web.bearer_token_file, which every member shares) or a basic-auth user of
   * the peers' --web.config.file, and the TLS trust and client certificate to present.
   */
  peer: z
    .strictObject({
      bearer_token_file: z.string().optional(),
      basic_auth: z.strictObject({ username: z.string().min(1), password_file: z.string().min(1) }).optional(),
      tls: z
        .strictObject({
          ca_file: z.string().optional(),
          cert_file: z.string().optional(),
          key_file: z.string().optional(),
          insecure_skip_verify: z.boolean().default(false),
        })
        .refine((t) => (t.cert_file === undefined) === (t.key_file === undefined), {
          message: 'expected cert_file and key_file together',
        })
        .default({ insecure_skip_verify: false }),
      /** a peer that has not answered by then counts as down for that request */
      timeout: duration().default(2),
    })
    .refine((p) => !(p.bearer_token_file && p.basic_auth), {
      message: 'expected at most one of bearer_token_file, basic_auth',
    })
    .default({ tls: { insecure_skip_verify: false }, timeout: 2 }),
});

export type ClusterConfig = z.output<typeof clusterSection>;
