/**
 * The web configuration file (`--web.config.file`) in the Prometheus exporter-toolkit format, so
 * one file serves node_exporter, Prometheus and CloudPulse alike: `tls_server_config`,
 * `http_server_config.headers`, `basic_auth_users` (bcrypt hashes) and `rate_limit`.
 *
 * Everything Node can honour is honoured; what it cannot (HTTP/2) is refused at start-up with the
 * file and key path rather than silently ignored. Relative file paths are read from the web config
 * file's own directory, as exporter-toolkit does. Stricter than exporter-toolkit in two places: a
 * client auth type that verifies certificates needs a client CA (verifying clients against public
 * roots is never what is meant), and `cert` and `cert_file` may not both be set.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { SecureVersion } from 'node:tls';
import bcrypt from 'bcryptjs';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { ConfigError, describeIssue } from '../config/load.js';
import { parseDuration } from '../util/duration.js';
import { tlsServerOptions, type ClientAuthType, type PemSource, type TlsSettings } from './tls.js';

/** Go's `tls.ClientAuthType` names; RequireClientCert is exporter-toolkit's old alias of RequireAnyClientCert. */
const CLIENT_AUTH_TYPES = [
  'NoClientCert',
  'RequestClientCert',
  'RequireAnyClientCert',
  'RequireClientCert',
  'VerifyClientCertIfGiven',
  'RequireAndVerifyClientCert',
] as const;

const TLS_VERSIONS: Record<string, SecureVersion> = {
  TLS10: 'TLSv1',
  TLS11: 'TLSv1.1',
  TLS12: 'TLSv1.2',
  TLS13: 'TLSv1.3',
};
const VERSION_ORDER: SecureVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

/**
 * Go's cipher suite names (crypto/tls `CipherSuites()`) and their OpenSSL names. Like Go, the list
 * applies to TLS 1.2 and below; TLS 1.3 suites are not configurable and stay at their defaults.
 */
const CIPHERS: Record<string, string | null> = {
  TLS_RSA_WITH_AES_128_CBC_SHA: 'AES128-SHA',
  TLS_RSA_WITH_AES_256_CBC_SHA: 'AES256-SHA',
  TLS_RSA_WITH_AES_128_GCM_SHA256: 'AES128-GCM-SHA256',
  TLS_RSA_WITH_AES_256_GCM_SHA384: 'AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: 'ECDHE-ECDSA-AES128-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA: 'ECDHE-ECDSA-AES256-SHA',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: 'ECDHE-RSA-AES128-SHA',
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: 'ECDHE-RSA-AES256-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 'ECDHE-ECDSA-AES256-GCM-SHA384',
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 'ECDHE-RSA-AES128-GCM-SHA256',
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 'ECDHE-RSA-AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-ECDSA-CHACHA20-POLY1305',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-RSA-CHACHA20-POLY1305',
  // TLS 1.3 names are accepted and, as in Go, change nothing
  TLS_AES_128_GCM_SHA256: null,
  TLS_AES_256_GCM_SHA384: null,
  TLS_CHACHA20_POLY1305_SHA256: null,
};
/** OpenSSL's TLS 1.3 defaults, kept whenever cipher_suites narrows TLS 1.2 (Node would otherwise drop them). */
const TLS13_SUITES = 'TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256';

const CURVES: Record<string, string> = { CurveP256: 'P-256', CurveP384: 'P-384', CurveP521: 'P-521', X25519: 'X25519' };

/** The response headers exporter-toolkit lets a web config set, with their allowed values where enumerated. */
const HEADERS: Record<string, readonly string[] | undefined> = {
  'Strict-Transport-Security': undefined,
  'X-Content-Type-Options': ['nosniff'],
  'X-Frame-Options': ['deny', 'sameorigin'],
  'X-XSS-Protection': undefined,
  'Content-Security-Policy': undefined,
};

/** A bcrypt hash as htpasswd -B, Go's bcrypt and bcryptjs write it. */
const BCRYPT_HASH = /^\$2[aby]?\$(0[4-9]|[12]\d|3[01])\$[./A-Za-z0-9]{53}$/;

const oneOf = (names: readonly string[]) =>
  z.string().refine((v) => names.includes(v), { message: `expected one of ${names.join(', ')}` });

const tlsSchema = z.strictObject({
  cert: z.string().optional(),
  key: z.string().optional(),
  client_ca: z.string().optional(),
  cert_file: z.string().optional(),
  key_file: z.string().optional(),
  client_auth_type: oneOf(CLIENT_AUTH_TYPES).optional(),
  client_ca_file: z.string().optional(),
  client_allowed_sans: z.array(z.string()).optional(),
  min_version: oneOf(Object.keys(TLS_VERSIONS)).default('TLS12'),
  max_version: oneOf(Object.keys(TLS_VERSIONS)).default('TLS13'),
  cipher_suites: z.array(oneOf(Object.keys(CIPHERS))).optional(),
  prefer_server_cipher_suites: z.boolean().default(true),
  curve_preferences: z.array(oneOf(Object.keys(CURVES))).optional(),
});

const schema = z.strictObject({
  tls_server_config: tlsSchema.optional(),
  http_server_config: z
    .strictObject({
      http2: z
        .boolean()
        .refine((v) => !v, {
          message: 'CloudPulse serves HTTP/1.1 only (clients fall back to it); remove the key or set it to false',
        })
        .optional(),
      headers: z.record(z.string(), z.string()).default({}),
    })
    .default({ headers: {} }),
  basic_auth_users: z.record(z.string(), z.string()).default({}),
  rate_limit: z
    .strictObject({
      interval: z.union([z.string(), z.number()]),
      burst: z.number().int().min(0),
    })
    .optional(),
});

export interface WebConfig {
  /** the file it came from, for messages */
  file: string;
  tls?: TlsSettings;
  /** extra response headers on every answer */
  headers: Record<string, string>;
  /** user name -> bcrypt hash */
  users: Record<string, string>;
  rateLimit?: { intervalMs: number; burst: number };
}

function readYaml(text: string, file: string): Record<string, unknown> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const pos = lineCounter.linePos(doc.errors[0].pos[0]);
    throw new ConfigError(file, [`line ${pos.line}, column ${pos.col}: YAML syntax error: ${doc.errors[0].message}`]);
  }
  const raw = doc.toJS() as unknown;
  if (raw === null || raw === undefined) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(file, [
      '(top level): expected a mapping with keys such as tls_server_config, basic_auth_users',
    ]);
  }
  // an empty section (`tls_server_config:` with nothing under it) means the section is absent, as in Go
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (v === null) continue;
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && k !== 'basic_auth_users' ? dropNulls(v) : v;
  }
  return out;
}

const dropNulls = (o: object) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null));

/** Check the TLS section and resolve its files against `dir`; problems are pushed with their key paths. */
function tlsSettings(t: z.output<typeof tlsSchema>, dir: string, problems: string[]): TlsSettings | undefined {
  const at = (key: string) => `tls_server_config.${key}`;
  const source = (inline: string | undefined, file: string | undefined, name: string): PemSource | undefined => {
    if (inline !== undefined && file !== undefined) {
      problems.push(`${at(`${name}_file`)}: set only one of ${name} (inline PEM) or ${name}_file`);
    }
    if (file !== undefined) return { file: resolve(dir, file), key: at(`${name}_file`) };
    if (inline !== undefined) return { inline, key: at(name) };
    return undefined;
  };
  const cert = source(t.cert, t.cert_file, 'cert');
  const key = source(t.key, t.key_file, 'key');
  const clientCa = source(t.client_ca, t.client_ca_file, 'client_ca');
  if (!cert)
    problems.push(
      `${at('cert_file')}: expected the server certificate (cert_file, or cert inline) when TLS is configured`,
    );
  if (!key)
    problems.push(`${at('key_file')}: expected the server key (key_file, or key inline) when TLS is configured`);

  const given = t.client_auth_type ?? 'NoClientCert';
  const clientAuth = (given === 'RequireClientCert' ? 'RequireAnyClientCert' : given) as ClientAuthType;
  if (clientCa && clientAuth === 'NoClientCert') {
    problems.push(
      `${at('client_auth_type')}: a client CA is configured but client_auth_type is NoClientCert; set RequireAndVerifyClientCert`,
    );
  }
  if (!clientCa && (clientAuth === 'RequireAndVerifyClientCert' || clientAuth === 'VerifyClientCertIfGiven')) {
    problems.push(
      `${at('client_ca_file')}: ${clientAuth} needs the CA that signs client certificates (client_ca_file or client_ca)`,
    );
  }
  if (t.client_allowed_sans && clientAuth !== 'RequireAnyClientCert' && clientAuth !== 'RequireAndVerifyClientCert') {
    problems.push(
      `${at('client_allowed_sans')}: needs client_auth_type RequireAnyClientCert or RequireAndVerifyClientCert`,
    );
  }
  const minVersion = TLS_VERSIONS[t.min_version];
  const maxVersion = TLS_VERSIONS[t.max_version];
  if (VERSION_ORDER.indexOf(minVersion) > VERSION_ORDER.indexOf(maxVersion)) {
    problems.push(`${at('min_version')}: ${t.min_version} is above max_version ${t.max_version}`);
  }
  const tls12 = (t.cipher_suites ?? []).map((c) => CIPHERS[c]).filter((c): c is string => c !== null);
  if (!cert || !key) return undefined;
  return {
    cert,
    key,
    clientCa,
    clientAuth,
    minVersion,
    maxVersion,
    ciphers: tls12.length > 0 ? `${tls12.join(':')}:${TLS13_SUITES}` : undefined,
    honorCipherOrder: t.prefer_server_cipher_suites,
    ecdhCurve: t.curve_preferences?.length ? t.curve_preferences.map((c) => CURVES[c]).join(':') : undefined,
    clientAllowedSans: t.client_allowed_sans,
  };
}

/** Parse web config text; `file` names it in messages and its directory anchors relative paths. */
export function parseWebConfig(text: string, file: string): WebConfig {
  const result = schema.safeParse(readYaml(text, file));
  if (!result.success) throw new ConfigError(file, result.error.issues.map(describeIssue));
  const c = result.data;
  const problems: string[] = [];

  for (const [name, value] of Object.entries(c.http_server_config.headers)) {
    if (!Object.hasOwn(HEADERS, name)) {
      problems.push(
        `http_server_config.headers.${name}: cannot be configured; expected one of ${Object.keys(HEADERS).join(', ')}`,
      );
      continue;
    }
    const allowed = HEADERS[name];
    if (allowed && !allowed.includes(value)) {
      problems.push(`http_server_config.headers.${name}: expected one of ${allowed.join(', ')}, got "${value}"`);
    }
  }
  for (const [user, hash] of Object.entries(c.basic_auth_users)) {
    if (user.includes(':'))
      problems.push(`basic_auth_users.${user}: a user name cannot contain ":" (basic auth splits on it)`);
    // the hash itself is a secret of sorts: say what is wrong without echoing it
    if (!BCRYPT_HASH.test(hash) || !Number.isFinite(bcrypt.getRounds(hash))) {
      problems.push(
        `basic_auth_users.${user}: expected a bcrypt hash such as $2y$10$... (htpasswd -nBC 10 "" | tr -d ':\\n')`,
      );
    }
  }
  let rateLimit: WebConfig['rateLimit'];
  if (c.rate_limit) {
    const { interval, burst } = c.rate_limit;
    const seconds =
      interval === 0 || interval === '0' ? 0 : typeof interval === 'number' ? interval : parseDuration(interval);
    if (seconds === undefined || seconds < 0) {
      problems.push(
        `rate_limit.interval: expected a duration such as "1s" (0 disables), got ${JSON.stringify(interval)}`,
      );
    } else if (seconds > 0) {
      if (burst < 1) problems.push('rate_limit.burst: expected at least 1 when an interval is set');
      rateLimit = { intervalMs: seconds * 1000, burst };
    }
  }
  const tls = c.tls_server_config ? tlsSettings(c.tls_server_config, dirname(resolve(file)), problems) : undefined;
  if (problems.length > 0) throw new ConfigError(file, problems);
  return { file, tls, headers: c.http_server_config.headers, users: c.basic_auth_users, rateLimit };
}

/** Read and check the web config file, including that its certificate and key load. */
export function loadWebConfig(file: string): WebConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [`cannot read file: ${(err as Error).message}`]);
  }
  const config = parseWebConfig(text, file);
  if (config.tls) {
    try {
      tlsServerOptions(config.tls);
    } catch (err) {
      throw new ConfigError(file, [(err as Error).message]);
    }
  }
  return config;
}
