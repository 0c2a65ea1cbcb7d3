/**
 * The client side of Prometheus' `http_config` as CloudPulse offers it, for `source.prometheus` and
 * every `remote_write` entry (the same keys): credentials become one `Authorization` header, and
 * the TLS options one undici Agent. Credentials written into the URL (`https://user:pass@host/`)
 * are moved into the header, so the URL that is logged and used as a metric label never carries
 * them. Secret files can be read again for every request, so a rotated token (a projected
 * Kubernetes token, a renewed Secret) is picked up without a restart.
 */
import { readFileSync } from 'node:fs';
import { Agent } from 'undici';

export interface ClientAuthConfig {
  basic_auth?: { username: string; password?: string; password_file?: string };
  bearer_token?: string;
  bearer_token_file?: string;
  tls: { ca_file?: string; insecure_skip_verify: boolean };
}

/** The URL without user info, query or fragment: safe to log and to use as a label. */
export function redactedUrl(text: string): string {
  const url = new URL(text);
  return url.origin + url.pathname;
}

/** The URL requests go to: user info removed (it travels in the Authorization header instead). */
export function requestUrl(text: string): string {
  const url = new URL(text);
  url.username = '';
  url.password = '';
  return url.toString();
}

function readSecret(path: string, key: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (err) {
    throw new Error(`${key}: cannot read "${path}": ${(err as Error).message}`, { cause: err });
  }
}

/**
 * When secret files are read: `per-request` picks up rotation (remote write); `once` keeps the
 * header read at start-up, as the source has always sent it (its headers are fixed per client).
 */
export type SecretReads = 'per-request' | 'once';

/**
 * A function giving the Authorization header value for the next request (or undefined). `where`
 * is the config key path for error messages, e.g. `remote_write[0]`. Throws at once when a
 * secret file cannot be read, so a bad path stops start-up; with `per-request` reads a later read
 * failure throws from the returned function and fails that request only.
 */
export function authorization(
  config: ClientAuthConfig,
  urlText: string,
  where: string,
  reads: SecretReads = 'per-request',
): () => string | undefined {
  const url = new URL(urlText);
  const kinds = [config.basic_auth, config.bearer_token, config.bearer_token_file].filter((x) => x !== undefined);
  if (kinds.length > 1)
    throw new Error(`${where}: expected at most one of basic_auth, bearer_token, bearer_token_file`);
  const basic = (user: string, pass: string) => 'Basic ' + Buffer.from(`${user}:${pass}`).toString('base64');
  let header: () => string | undefined = () => undefined;
  if (url.username) {
    const fixed = basic(decodeURIComponent(url.username), decodeURIComponent(url.password));
    header = () => fixed;
  }
  const { basic_auth, bearer_token, bearer_token_file } = config;
  if (basic_auth?.password !== undefined) {
    const fixed = basic(basic_auth.username, basic_auth.password);
    header = () => fixed;
  } else if (basic_auth?.password_file !== undefined) {
    const file = basic_auth.password_file;
    header = () => basic(basic_auth.username, readSecret(file, `${where}.basic_auth.password_file`));
  } else if (bearer_token !== undefined) {
    header = () => `Bearer ${bearer_token}`;
  } else if (bearer_token_file !== undefined) {
    header = () => `Bearer ${readSecret(bearer_token_file, `${where}.bearer_token_file`)}`;
  }
  const first = header(); // fail at start-up on an unreadable file
  return reads === 'once' ? () => first : header;
}

/** An undici Agent with the configured trust and per-request timeouts. */
export function clientAgent(config: ClientAuthConfig, timeoutSeconds: number, where: string): Agent {
  const ca = config.tls.ca_file ? readSecret(config.tls.ca_file, `${where}.tls.ca_file`) : undefined;
  return new Agent({
    connect: { ca, rejectUnauthorized: !config.tls.insecure_skip_verify },
    headersTimeout: timeoutSeconds * 1000,
    bodyTimeout: timeoutSeconds * 1000,
  });
}
