/**
 * Who may ask, for every route of the app: the web config's response headers and rate limit, then
 * credentials. Two kinds are accepted, each only when configured: basic auth against the web
 * config's bcrypt `basic_auth_users`, and the main config's `web.bearer_token_file` token. With
 * both configured either one lets a request in (one Authorization header carries one of them).
 * `openPaths` (the health probes) need no credentials, because a kubelet probe cannot carry any
 * without writing them into the pod spec; exporter-toolkit protects every path.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import bcrypt from 'bcryptjs';
import type { FastifyInstance } from 'fastify';
import { HTTP_ERRORS } from './errors.js';

export interface AuthOptions {
  /** user name -> bcrypt hash */
  users?: Record<string, string>;
  bearerToken?: string;
  /** added to every response, refused ones included */
  headers?: Record<string, string>;
  /** a token bucket over all requests, as exporter-toolkit's rate_limit */
  rateLimit?: { intervalMs: number; burst: number };
  /** routes served without credentials */
  openPaths?: readonly string[];
  now?: () => number;
}

/** bcrypt of a random string: unknown users are checked against it so response times do not reveal user names */
const DECOY_HASH = '$2b$10$Wn9xoUAX/sb0AYo7zPJ/.eMtoWCN29luf208hT2DlcIZvXwdIHGju';
const CACHE_SIZE = 100;

const sha256 = (text: string) => createHash('sha256').update(text).digest();

/**
 * Basic auth against bcrypt hashes. Results are cached per (user, hash, password digest) so that
 * a scrape every few seconds pays the bcrypt cost (~70 ms at cost 10) once, not every time.
 */
export class BasicAuthChecker {
  private readonly cache = new Map<string, boolean>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly users: Record<string, string>,
    private readonly compare: (password: string, hash: string) => Promise<boolean> = bcrypt.compare,
  ) {}

  async check(user: string, password: string): Promise<boolean> {
    const known = Object.hasOwn(this.users, user);
    const hash = known ? this.users[user] : DECOY_HASH;
    // the digest, not the password, is kept in memory
    const key = createHash('sha256').update(`${user}\0${hash}\0`).update(password).digest('base64');
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    // one bcrypt at a time: it is CPU-bound, and a burst of wrong passwords must not starve scrapes
    const result = this.queue.then(() => this.compare(password, hash));
    this.queue = result.catch(() => false);
    const ok = (await result.catch(() => false)) && known;
    if (this.cache.size >= CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, ok);
    return ok;
  }
}

/** Go's rate.Limiter(Every(interval), burst): starts full, refills one token per interval. */
function tokenBucket({ intervalMs, burst }: { intervalMs: number; burst: number }, now: () => number) {
  let tokens = burst;
  let last = now();
  return (): boolean => {
    const t = now();
    tokens = Math.min(burst, tokens + (t - last) / intervalMs);
    last = t;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };
}

/** Adds the hooks to `app`; call before registering routes so they cover all of them. */
export function installAuth(app: FastifyInstance, o: AuthOptions): void {
  const headers = Object.entries(o.headers ?? {});
  const allow = o.rateLimit ? tokenBucket(o.rateLimit, o.now ?? Date.now) : undefined;
  const users = o.users && Object.keys(o.users).length > 0 ? new BasicAuthChecker(o.users) : undefined;
  const token = o.bearerToken ? sha256(o.bearerToken) : undefined;
  const challenges = [...(users ? ['Basic realm="CloudPulse", charset="UTF-8"'] : []), ...(token ? ['Bearer'] : [])];
  const challenge = challenges.length === 1 ? challenges[0] : challenges;
  const open = new Set(o.openPaths ?? []);

  const authorized = async (header: string | undefined): Promise<boolean> => {
    const space = header?.indexOf(' ') ?? -1;
    if (header === undefined || space < 0) return false;
    const scheme = header.slice(0, space);
    const value = header.slice(space + 1);
    if (token && scheme === 'Bearer') {
      // equal-length digests, so neither the content nor the length of the token leaks through timing
      return timingSafeEqual(sha256(value), token);
    }
    if (users && scheme === 'Basic') {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0) return false;
      return users.check(decoded.slice(0, colon), decoded.slice(colon + 1));
    }
    return false;
  };

  if (headers.length === 0 && !allow && challenges.length === 0) return;
  app.addHook('onRequest', async (req, reply) => {
    for (const [name, value] of headers) reply.header(name, value);
    if (allow && !allow()) {
      const e = HTTP_ERRORS.RATE_LIMITED;
      return reply.code(e.statusCode).send({ error: e.code, message: e.message });
    }
    if (challenges.length === 0 || open.has(req.routeOptions.url ?? '')) return;
    if (await authorized(req.headers.authorization)) return;
    const e = HTTP_ERRORS.UNAUTHORIZED;
    return reply.code(e.statusCode).header('www-authenticate', challenge).send({ error: e.code, message: e.message });
  });
}
