/**
 * Test certificates made by the real `openssl` binary: a CA, a server certificate for localhost and
 * 127.0.0.1, a client certificate from the same CA, and a client certificate from a second CA the
 * server does not trust. Short-lived (2 days) and written to `dir`.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findBinary } from './processes.js';

export interface TestCertificates {
  dir: string;
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  /** signed by caCert, SAN DNS:prometheus.monitoring.svc */
  clientCert: string;
  clientKey: string;
  /** signed by a CA the server does not know, SAN DNS:intruder.example */
  rogueClientCert: string;
  rogueClientKey: string;
}

function openssl(args: string[]): void {
  execFileSync(findBinary('openssl'), args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

function makeCa(dir: string, name: string): { cert: string; key: string } {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  // prettier-ignore
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2',
    '-subj', `/CN=${name}`, '-keyout', key, '-out', cert,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  return { cert, key };
}

/** A leaf certificate signed by `ca`, with the given subjectAltName and extendedKeyUsage. */
export function makeLeaf(
  dir: string,
  name: string,
  ca: { cert: string; key: string },
  san: string,
  usage: 'serverAuth' | 'clientAuth',
): { cert: string; key: string } {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const ext = join(dir, `${name}.ext`);
  writeFileSync(ext, `subjectAltName=${san}\nextendedKeyUsage=${usage}\nbasicConstraints=CA:FALSE\n`);
  // prettier-ignore
  openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-subj', `/CN=${name}`, '-keyout', key, '-out', csr]);
  // prettier-ignore
  openssl(['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-set_serial', String(Date.now()),
    '-days', '2', '-extfile', ext, '-out', cert]);
  return { cert, key };
}

export function makeCertificates(dir: string): TestCertificates {
  const ca = makeCa(dir, 'ca');
  const rogueCa = makeCa(dir, 'rogue-ca');
  const server = makeLeaf(dir, 'server', ca, 'DNS:localhost,IP:127.0.0.1', 'serverAuth');
  const client = makeLeaf(dir, 'client', ca, 'DNS:prometheus.monitoring.svc', 'clientAuth');
  const rogue = makeLeaf(dir, 'rogue-client', rogueCa, 'DNS:intruder.example', 'clientAuth');
  return {
    dir,
    caCert: ca.cert,
    caKey: ca.key,
    serverCert: server.cert,
    serverKey: server.key,
    clientCert: client.cert,
    clientKey: client.key,
    rogueClientCert: rogue.cert,
    rogueClientKey: rogue.key,
  };
}
