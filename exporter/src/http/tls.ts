/**
 * TLS for the exporter's listeners from the web config's `tls_server_config`: Node server options
 * (shared by the HTTP server and any other listener, e.g. gRPC), the client-certificate policies
 * Node's handshake cannot express on its own, and certificate rotation without a restart.
 */
import { statSync, readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { createSecureContext, type SecureVersion, type TLSSocket, type TlsOptions } from 'node:tls';

/** Go's `tls.ClientAuthType` policies, as exporter-toolkit names them. */
export type ClientAuthType =
  | 'NoClientCert'
  | 'RequestClientCert'
  | 'RequireAnyClientCert'
  | 'VerifyClientCertIfGiven'
  | 'RequireAndVerifyClientCert';

/** A PEM that is either inline in the web config or a file (re-read when it changes); `key` is its key path. */
export type PemSource = { file: string; key: string } | { inline: string; key: string };

export interface TlsSettings {
  cert: PemSource;
  key: PemSource;
  clientCa?: PemSource;
  clientAuth: ClientAuthType;
  minVersion: SecureVersion;
  maxVersion: SecureVersion;
  /** OpenSSL cipher string, when cipher_suites is set */
  ciphers?: string;
  honorCipherOrder: boolean;
  /** OpenSSL curve list, when curve_preferences is set */
  ecdhCurve?: string;
  clientAllowedSans?: string[];
}

function readPem(source: PemSource): Buffer {
  if ('inline' in source) return Buffer.from(source.inline);
  try {
    return readFileSync(source.file);
  } catch (err) {
    throw new Error(`${source.key}: cannot read ${source.file}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Node TLS server options for these settings, with the files read now. Throws an error naming the
 * key path when a file is missing or the certificate and key do not load together.
 */
export function tlsServerOptions(s: TlsSettings): TlsOptions {
  const options: TlsOptions = {
    cert: readPem(s.cert),
    key: readPem(s.key),
    ca: s.clientCa ? readPem(s.clientCa) : undefined,
    minVersion: s.minVersion,
    maxVersion: s.maxVersion,
    honorCipherOrder: s.honorCipherOrder,
    ...(s.ciphers ? { ciphers: s.ciphers } : {}),
    ...(s.ecdhCurve ? { ecdhCurve: s.ecdhCurve } : {}),
    requestCert: s.clientAuth !== 'NoClientCert',
    // only this policy can be left to the handshake; the others are checked after it (clientCertificateProblem)
    rejectUnauthorized: s.clientAuth === 'RequireAndVerifyClientCert',
  };
  // the certificate alone first, so a failure names the right key
  for (const [what, ctx] of [
    [s.cert.key, { cert: options.cert }],
    [s.key.key, options],
  ] as const) {
    try {
      createSecureContext(ctx);
    } catch (err) {
      throw new Error(`${what}: cannot load the certificate and key: ${(err as Error).message}`, { cause: err });
    }
  }
  if (s.clientCa) {
    const pem = options.ca as Buffer;
    try {
      new X509Certificate(pem);
    } catch (err) {
      throw new Error(`${s.clientCa.key}: not a PEM certificate: ${(err as Error).message}`, { cause: err });
    }
  }
  return options;
}

/** Subject alternative names of a certificate as Go lists them: DNS names, e-mails, IPs and URIs. */
function subjectAltNames(raw: Buffer): string[] {
  const text = new X509Certificate(raw).subjectAltName ?? '';
  return text
    .split(', ')
    .map((entry) => /^(?:DNS|email|IP Address|URI):(.*)$/.exec(entry)?.[1])
    .filter((v): v is string => v !== undefined)
    .map((v) => v.replace(/^"(.*)"$/, '$1'));
}

/**
 * Why a finished handshake must be refused under the client auth policy, or undefined when it may
 * proceed. Node verifies the chain for every requested certificate; this applies the policy to the
 * result (RequireAndVerifyClientCert is also enforced by the handshake itself).
 */
export function clientCertificateProblem(socket: TLSSocket, s: TlsSettings): string | undefined {
  if (s.clientAuth === 'NoClientCert' || s.clientAuth === 'RequestClientCert') return undefined;
  const peer = socket.getPeerCertificate(false);
  const presented = peer !== null && peer !== undefined && Object.keys(peer).length > 0;
  if (!presented) {
    if (s.clientAuth === 'VerifyClientCertIfGiven') return undefined;
    return 'no client certificate presented';
  }
  if (s.clientAuth !== 'RequireAnyClientCert' && !socket.authorized) {
    return `client certificate not verified: ${String(socket.authorizationError)}`;
  }
  if (s.clientAllowedSans) {
    const sans = subjectAltNames(peer.raw);
    if (!sans.some((san) => s.clientAllowedSans!.includes(san))) {
      return `client certificate names (${sans.join(', ') || 'none'}) are not in client_allowed_sans`;
    }
  }
  return undefined;
}

/** What a server must offer for certificates to rotate (https.Server and tls.Server both do). */
export interface SecureContextHolder {
  setSecureContext(options: TlsOptions): void;
}

/**
 * Re-reads the certificate, key and client CA files every `intervalMs` and swaps them into the
 * running server when they change, so cert-manager or a Secret update rotates them without a
 * restart. A broken new pair is reported through `onError` and the old one stays in use.
 */
export function watchCertificates(
  server: SecureContextHolder,
  s: TlsSettings,
  onError: (message: string) => void,
  intervalMs = 30_000,
): () => void {
  const files = [s.cert, s.key, s.clientCa].flatMap((p) => (p && 'file' in p ? [p.file] : []));
  if (files.length === 0) return () => {};
  const stamp = () =>
    files
      .map((f) => {
        try {
          const st = statSync(f);
          return `${st.mtimeMs}:${st.size}:${st.ino}`;
        } catch {
          return 'missing';
        }
      })
      .join('|');
  let last = stamp();
  const timer = setInterval(() => {
    const now = stamp();
    if (now === last) return;
    // a half-written pair fails now and loads on the next change; each state is tried (and reported) once
    last = now;
    try {
      server.setSecureContext(tlsServerOptions(s));
    } catch (err) {
      onError((err as Error).message);
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
