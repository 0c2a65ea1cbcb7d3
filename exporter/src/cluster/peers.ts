/**
 * HTTP to the other members of the fleet, at `cluster.peer_url` with `{member}` filled in (over a
 * StatefulSet's headless Service each pod has its own name). Used to read what another member
 * owns, for the KEDA scaler and the API; never to coordinate. Credentials come from files, the
 * answer size is bounded, and a peer that does not answer in time counts as down for that call.
 */
import { readFileSync } from 'node:fs';
import { Agent, request } from 'undici';
import type { ClusterConfig } from '../config/schema.js';

/** the most a peer may send in one answer */
export const MAX_PEER_ANSWER_BYTES = 16 * 1024 * 1024;
/** set on forwarded requests, so a peer answers from what it holds and never forwards again */
export const FORWARDED_HEADER = 'x-cloudpulse-forwarded';

export interface PeerAnswer {
  status: number;
  body: Buffer;
  contentType?: string;
}

function secret(path: string, key: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (err) {
    throw new Error(`${key}: cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
}

export class PeerClient {
  private readonly agent: Agent;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;

  constructor(
    private readonly cluster: ClusterConfig,
    /** web.bearer_token_file: the token every member accepts, used when cluster.peer names none */
    webBearerTokenFile?: string,
  ) {
    const peer = cluster.peer;
    const tls = peer.tls;
    this.agent = new Agent({
      connect: {
        ca: tls.ca_file ? secret(tls.ca_file, 'cluster.peer.tls.ca_file') : undefined,
        cert: tls.cert_file ? secret(tls.cert_file, 'cluster.peer.tls.cert_file') : undefined,
        key: tls.key_file ? secret(tls.key_file, 'cluster.peer.tls.key_file') : undefined,
        rejectUnauthorized: !tls.insecure_skip_verify,
      },
    });
    this.headers = { accept: 'application/json', [FORWARDED_HEADER]: '1' };
    const tokenFile = peer.bearer_token_file ?? webBearerTokenFile;
    if (peer.basic_auth) {
      const password = secret(peer.basic_auth.password_file, 'cluster.peer.basic_auth.password_file');
      this.headers.authorization = 'Basic ' + Buffer.from(`${peer.basic_auth.username}:${password}`).toString('base64');
    } else if (tokenFile) {
      this.headers.authorization = `Bearer ${secret(tokenFile, 'cluster.peer.bearer_token_file')}`;
    }
    this.timeoutMs = peer.timeout * 1000;
  }

  /** true when peers can be reached at all (a peer_url is configured) */
  get configured(): boolean {
    return this.cluster.peer_url !== undefined;
  }

  url(member: number, path: string): string {
    return this.cluster.peer_url!.replaceAll('{member}', String(member)).replace(/\/+$/, '') + path;
  }

  /** GET `path` from `member`; rejects on a network error, a timeout or an oversized answer */
  async get(member: number, path: string): Promise<PeerAnswer> {
    const res = await request(this.url(member, path), {
      method: 'GET',
      headers: this.headers,
      dispatcher: this.agent,
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const parts: Buffer[] = [];
    let size = 0;
    for await (const part of res.body) {
      size += (part as Buffer).length;
      if (size > MAX_PEER_ANSWER_BYTES) {
        res.body.destroy();
        throw new Error(`member ${member} answered more than ${MAX_PEER_ANSWER_BYTES} bytes for ${path}`);
      }
      parts.push(part as Buffer);
    }
    const type = res.headers['content-type'];
    return { status: res.statusCode, body: Buffer.concat(parts), contentType: Array.isArray(type) ? type[0] : type };
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}
