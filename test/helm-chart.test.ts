/**
 * The Helm chart rendered as `helm template` would (test/helm-render: Go text/template + sprig,
 * built offline from Debian's packages), with default values and with every option on. Every
 * rendered object is validated against the Kubernetes and prometheus-operator schemas, the rendered
 * exporter config passes the exporter's own validation, and the web config example loads from the
 * files the chart projects. Mode `statefulset` is in helm-chart-fleet.test.ts.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../exporter/src/config/load.js';
import { loadWebConfig } from '../exporter/src/http/web-config.js';
import { makeCertificates } from './helpers/certs.js';
import { renderChart, type RenderedObject } from './support/helm-render.js';
import { CHART, container, find, render, renderPage } from './support/helm-chart.js';
import { schemaProblems } from './support/kubernetes-schemas.js';
import { repoPath } from './support/cloudpulse-repo.js';

/** Every option of values.yaml turned on, with Secrets named as docs/deploy.md names them. */
const EVERYTHING = {
  fullnameOverride: 'forecasts',
  imagePullSecrets: [{ name: 'regcred' }],
  source: {
    existingSecret: 'cloudpulse-source',
    basicAuth: { username: 'cloudpulse', passwordKey: 'password' },
    caKey: 'ca.crt',
  },
  web: {
    telemetryPath: '/internal/metrics',
    config: { existingSecret: 'cloudpulse-web-config', key: 'web-config.yml' },
    tlsSecret: 'cloudpulse-tls',
    tls: { enabled: true },
    bearerToken: { existingSecret: 'cloudpulse-scrape-token', key: 'token' },
  },
  grpc: { enabled: true, port: 9848 },
  serviceAccount: { annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::1:role/x' } },
  podAnnotations: { team: 'sre' },
  podLabels: { tier: 'monitoring' },
  priorityClassName: 'system-cluster-critical',
  service: { annotations: { 'example.com/a': 'b' } },
  serviceMonitor: {
    scrapeTimeout: '10s',
    tlsConfig: {
      ca: { secret: { name: 'cloudpulse-tls', key: 'ca.crt' } },
      serverName: 'forecasts.monitoring.svc',
    },
    basicAuth: {
      username: { name: 'cloudpulse-scrape', key: 'username' },
      password: { name: 'cloudpulse-scrape', key: 'password' },
    },
    metricRelabelings: [{ action: 'drop', sourceLabels: ['__name__'], regex: 'nodejs_.*' }],
  },
  persistence: { existingClaim: 'cloudpulse-models' },
  extraArgs: ['--log.level=debug'],
  extraEnv: [{ name: 'TZ', value: 'UTC' }],
  extraVolumes: [{ name: 'extra', configMap: { name: 'extra' } }],
  extraVolumeMounts: [{ name: 'extra', mountPath: '/etc/extra', readOnly: true }],
  nodeSelector: { 'kubernetes.io/os': 'linux' },
  tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'monitoring', effect: 'NoSchedule' }],
  affinity: { nodeAffinity: {} },
};

let defaults: RenderedObject[];
let everything: RenderedObject[];

beforeAll(async () => {
  [defaults, everything] = await Promise.all([render({}), render(EVERYTHING)]);
}, 120_000);

describe('Helm chart', () => {
  it('renders objects that match the Kubernetes and prometheus-operator schemas', () => {
    for (const objects of [defaults, everything]) {
      const problems = objects.flatMap((o) => schemaProblems(o.value, `${o.source} ${o.value.kind}`));
      expect(problems).toEqual([]);
    }
    const kinds = (objects: RenderedObject[]) => objects.map((o) => o.value.kind).sort();
    expect(kinds(defaults)).toEqual([
      'ConfigMap',
      'Deployment',
      'PrometheusRule',
      'Service',
      'ServiceAccount',
      'ServiceMonitor',
    ]);
    expect(kinds(everything)).toEqual(kinds(defaults));
  });

  it('runs non-root on a read-only root filesystem with no capabilities and RuntimeDefault seccomp', () => {
    const pod = find(defaults, 'Deployment')!.spec.template.spec;
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 65534,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.containers[0].securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.serviceAccountName).toBe(find(defaults, 'ServiceAccount')!.metadata.name);
    // the only writable places: the model store and a size-limited /tmp
    const writable = pod.containers[0].volumeMounts.filter((m: { readOnly?: boolean }) => !m.readOnly);
    expect(writable.map((m: { mountPath: string }) => m.mountPath).sort()).toEqual(['/tmp', '/var/lib/cloudpulse']);
  });

  it('renders a config the exporter accepts, with the Secret files filled in', () => {
    const config = (objects: RenderedObject[]) =>
      parseConfig(find(objects, 'ConfigMap')!.data['cloudpulse.yml'], 'rendered ConfigMap');
    expect(config(defaults).source.prometheus?.basic_auth).toBeUndefined();
    const c = config(everything);
    expect(c.source.prometheus).toMatchObject({
      basic_auth: { username: 'cloudpulse', password_file: '/etc/cloudpulse/source/password' },
      tls: { ca_file: '/etc/cloudpulse/source/ca.crt' },
    });
    expect(c.web.bearer_token_file).toBe('/etc/cloudpulse/bearer/token');
    // and every file it names is mounted where it says
    const mounts = container(everything).volumeMounts.map((m: { mountPath: string }) => m.mountPath);
    for (const file of [
      c.source.prometheus!.basic_auth!.password_file!,
      c.source.prometheus!.tls.ca_file!,
      c.web.bearer_token_file!,
    ]) {
      expect(
        mounts.some((m: string) => file.startsWith(`${m}/`)),
        file,
      ).toBe(true);
    }
  });

  it('wires the web config, TLS, the telemetry path and the gRPC port through to probes, Service and ServiceMonitor', () => {
    const c = container(everything);
    expect(c.args).toEqual(
      expect.arrayContaining([
        '--config.file=/etc/cloudpulse/config/cloudpulse.yml',
        '--web.telemetry-path=/internal/metrics',
        '--web.config.file=/etc/cloudpulse/web/web-config.yml',
        '--grpc.listen-address=:9848',
        '--log.level=debug',
      ]),
    );
    expect(c.ports).toEqual([
      { name: 'metrics', containerPort: 9847 },
      { name: 'grpc', containerPort: 9848 },
    ]);
    expect(c.readinessProbe.httpGet).toEqual({ path: '/-/ready', port: 'metrics', scheme: 'HTTPS' });
    const web = find(everything, 'Deployment')!.spec.template.spec.volumes.find(
      (v: { name: string }) => v.name === 'web-config',
    );
    expect(web.projected.sources.map((s: { secret: { name: string } }) => s.secret.name)).toEqual([
      'cloudpulse-web-config',
      'cloudpulse-tls',
    ]);
    const service = find(everything, 'Service')!;
    expect(service.metadata.name).toBe('forecasts');
    expect(service.spec.ports.map((p: { name: string; port: number }) => `${p.name}:${p.port}`)).toEqual([
      'metrics:9847',
      'grpc:9848',
    ]);
    const endpoint = find(everything, 'ServiceMonitor')!.spec.endpoints[0];
    expect(endpoint).toMatchObject({
      port: 'metrics',
      path: '/internal/metrics',
      scheme: 'https',
      honorLabels: true,
      tlsConfig: { serverName: 'forecasts.monitoring.svc' },
      basicAuth: { password: { name: 'cloudpulse-scrape', key: 'password' } },
    });
    expect(endpoint.relabelings[0]).toEqual({ targetLabel: 'job', replacement: 'cloudpulse' });

    // defaults: plain HTTP, no gRPC, no web config
    expect(
      container(defaults).args.some((a: string) => a.startsWith('--web.config.file') || a.startsWith('--grpc')),
    ).toBe(false);
    expect(find(defaults, 'ServiceMonitor')!.spec.endpoints[0]).toMatchObject({ scheme: 'http', path: '/metrics' });
  });

  it('switches to TCP probes when client certificates are required', async () => {
    const objects = await render({
      web: { config: { existingSecret: 'w' }, tls: { enabled: true, clientCertificateRequired: true } },
    });
    expect(container(objects).readinessProbe).toEqual({ tcpSocket: { port: 'metrics' }, periodSeconds: 10 });
  });

  it('honours nameOverride and fullnameOverride', async () => {
    const named = await render({ nameOverride: 'predictor' });
    expect(find(named, 'Deployment')!.metadata.name).toBe('cloudpulse-predictor');
    expect(find(named, 'Deployment')!.spec.selector.matchLabels['app.kubernetes.io/name']).toBe('predictor');
    expect(find(everything, 'Deployment')!.metadata.name).toBe('forecasts');
    expect(find(everything, 'ServiceAccount')!.metadata.name).toBe('forecasts');
    const noAccount = await render({ serviceAccount: { create: false } });
    expect(find(noAccount, 'ServiceAccount')).toBeUndefined();
    expect(find(noAccount, 'Deployment')!.spec.template.spec.serviceAccountName).toBe('default');
  });

  it('refuses values that cannot work, saying which', async () => {
    const tlsWithoutConfig = await renderChart(CHART, { web: { tls: { enabled: true } } });
    expect(tlsWithoutConfig).toMatchObject({
      ok: false,
      error: expect.stringContaining('web.tls.enabled needs web.config.existingSecret'),
    });
    const noUser = await renderChart(CHART, {
      source: { existingSecret: 's', basicAuth: { passwordKey: 'password' } },
    });
    expect(noUser).toMatchObject({
      ok: false,
      error: expect.stringContaining('source.basicAuth.username is required'),
    });
  });

  it('renders the values docs/deploy.md walks through, and they do what the page says', async () => {
    const { objects, config } = await renderPage('docs/deploy.md', 3);
    expect(config.source.prometheus?.basic_auth?.password_file).toBe('/etc/cloudpulse/source/password');
    expect(container(objects).image).toBe('registry.example.com/monitoring/cloudpulse:0.1.0');
    expect(container(objects).args).toContain('--web.config.file=/etc/cloudpulse/web/web-config.yml');
    expect(find(objects, 'ServiceMonitor')!.spec.endpoints[0]).toMatchObject({ scheme: 'https', honorLabels: true });
  });

  it('loads the example web config from the files the chart projects', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cloudpulse-projected-'));
    try {
      const certs = makeCertificates(dir);
      // what the projected volume holds: the web config key and a cert-manager Secret's keys
      copyFileSync(repoPath('deploy/web/web-config.example.yml'), join(dir, 'web-config.yml'));
      copyFileSync(certs.serverCert, join(dir, 'tls.crt'));
      copyFileSync(certs.serverKey, join(dir, 'tls.key'));
      const web = loadWebConfig(join(dir, 'web-config.yml'));
      expect(web.tls?.cert).toEqual({ file: join(dir, 'tls.crt'), key: 'tls_server_config.cert_file' });
      expect(Object.keys(web.users)).toEqual(['prometheus']);
      expect(readFileSync(join(dir, 'web-config.yml'), 'utf8')).toContain('basic_auth_users');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
