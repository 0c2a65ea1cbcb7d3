/**
 * The Helm chart rendered as `helm template` would (test/helm-render: Go text/template + sprig,
 * built offline from Debian's packages), with default values and with every option on. Every
 * rendered object is validated against the Kubernetes and prometheus-operator schemas, the rendered
 * exporter config passes the exporter's own validation, and the web config example loads from the
 * files the chart projects. Mode `statefulset` (a fleet of members, docs/fleet.md) is rendered the
 * same way and checked against the exporter's own membership rules.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseConfig } from '../exporter/src/config/load.js';
import { loadWebConfig } from '../exporter/src/http/web-config.js';
import { Membership } from '../exporter/src/cluster/membership.js';
import { makeCertificates } from './helpers/certs.js';
import { renderChart, type RenderedObject } from './support/helm-render.js';
import { schemaProblems } from './support/kubernetes-schemas.js';
import { repoPath } from './support/cloudpulse-repo.js';

const CHART = 'deploy/helm/cloudpulse';

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

async function render(values: object): Promise<RenderedObject[]> {
  const r = await renderChart(CHART, values);
  if (!r.ok) throw new Error(`the chart did not render: ${r.error}`);
  return r.objects;
}
const find = (objects: RenderedObject[], kind: string) => objects.find((o) => o.value.kind === kind)?.value;
const container = (objects: RenderedObject[], kind = 'Deployment') =>
  find(objects, kind)!.spec.template.spec.containers[0];

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

/**
 * The chart rendered with the values a page walks through: its YAML blocks made only of the
 * chart's top-level keys, merged in order. The objects must match the schemas and the config must
 * pass the exporter's validation.
 */
async function renderPage(page: string, minBlocks: number) {
  const chartValues = parse(readFileSync(repoPath(CHART, 'values.yaml'), 'utf8')) as Record<string, unknown>;
  const blocks = [...readFileSync(repoPath(page), 'utf8').matchAll(/```yaml\n([\s\S]*?)```/g)]
    .map((m) => parse(m[1]) as Record<string, unknown>)
    .filter((v) => v && typeof v === 'object' && Object.keys(v).every((k) => Object.hasOwn(chartValues, k)));
  expect(blocks.length, `${page}: chart values blocks`).toBeGreaterThanOrEqual(minBlocks);
  const objects = await render(blocks.reduce((acc, b) => deepMerge(acc, b), {}));
  expect(objects.flatMap((o) => schemaProblems(o.value, `${page} ${o.source} ${o.value.kind}`))).toEqual([]);
  return { objects, config: parseConfig(find(objects, 'ConfigMap')!.data['cloudpulse.yml'], `${page} values`) };
}

/** Helm's merge of values files: maps merge key by key, anything else replaces. */
function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    const isMap = (x: unknown): x is Record<string, unknown> => !!x && typeof x === 'object' && !Array.isArray(x);
    out[k] = isMap(prev) && isMap(v) ? deepMerge(prev, v) : v;
  }
  return out;
}

/** A fleet of four members, each series held by two, as docs/fleet.md sets one up. */
const FLEET = {
  mode: 'statefulset',
  cluster: { members: 4, replication: 2, shardBy: ['instance', 'namespace', 'deployment'] },
  grpc: { enabled: true },
  persistence: { size: '5Gi', storageClassName: 'fast-ssd' },
};

/** Kubernetes label selector semantics (matchLabels and the In / NotIn / Exists / DoesNotExist expressions). */
function selects(
  selector: {
    matchLabels?: Record<string, string>;
    matchExpressions?: { key: string; operator: string; values?: string[] }[];
  },
  labels: Record<string, string> = {},
): boolean {
  const byLabel = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  return (
    byLabel &&
    (selector.matchExpressions ?? []).every((e) => {
      const has = Object.hasOwn(labels, e.key);
      if (e.operator === 'In') return has && e.values!.includes(labels[e.key]);
      if (e.operator === 'NotIn') return !has || !e.values!.includes(labels[e.key]);
      if (e.operator === 'Exists') return has;
      if (e.operator === 'DoesNotExist') return !has;
      throw new Error(`unknown selector operator ${e.operator}`);
    })
  );
}

describe('Helm chart in mode statefulset', () => {
  let fleet: RenderedObject[];
  beforeAll(async () => {
    fleet = await render(FLEET);
  }, 60_000);
  const all = (objects: RenderedObject[], kind: string) =>
    objects.filter((o) => o.value.kind === kind).map((o) => o.value);

  it('renders a StatefulSet, its headless Service and a PodDisruptionBudget that match the schemas', () => {
    expect(fleet.flatMap((o) => schemaProblems(o.value, `${o.source} ${o.value.kind}`))).toEqual([]);
    expect(fleet.map((o) => o.value.kind).sort()).toEqual([
      'ConfigMap',
      'PodDisruptionBudget',
      'PrometheusRule',
      'Service',
      'Service',
      'ServiceAccount',
      'ServiceMonitor',
      'StatefulSet',
    ]);
  });

  it('runs one pod per member, each taking its member index from its pod ordinal, with the config the values describe', () => {
    const sts = find(fleet, 'StatefulSet')!;
    expect(sts.spec.replicas).toBe(4);
    expect(sts.spec.podManagementPolicy).toBe('Parallel');
    const config = parseConfig(find(fleet, 'ConfigMap')!.data['cloudpulse.yml'], 'rendered ConfigMap');
    expect(config.cluster).toMatchObject({
      members: 4,
      replication: 2,
      shard_by: ['instance', 'namespace', 'deployment'],
    });
    // pod <name>-<i> is named, and so hostnamed, by its ordinal: the exporter resolves member i
    const members = Array.from({ length: sts.spec.replicas }, (_, i) =>
      Membership.resolve(config.cluster, `${sts.metadata.name}-${i}`),
    );
    expect(members.map((m) => m.member)).toEqual([0, 1, 2, 3]);
    // every slice is held by exactly `replication` members
    const holders = members.flatMap((m) => m.ownedSlices()).sort();
    expect(holders).toEqual([0, 0, 1, 1, 2, 2, 3, 3]);
    // no --cluster.member flag: the hostname decides
    const c = container(fleet, 'StatefulSet');
    expect(c.args.some((a: string) => a.startsWith('--cluster.'))).toBe(false);
  });

  it('reaches every member at the address cluster.peer_url names, through the headless Service', () => {
    const sts = find(fleet, 'StatefulSet')!;
    const services = all(fleet, 'Service');
    const service = services.find((svc) => svc.spec.clusterIP !== 'None')!;
    const headless = services.find((svc) => svc.spec.clusterIP === 'None')!;
    expect(headless).toMatchObject({ spec: { clusterIP: 'None', publishNotReadyAddresses: true } });
    expect(sts.spec.serviceName).toBe(headless.metadata.name);
    const podLabels = sts.spec.template.metadata.labels;
    expect(selects(sts.spec.selector, podLabels)).toBe(true);
    for (const svc of [service, headless]) expect(selects({ matchLabels: svc.spec.selector }, podLabels)).toBe(true);
    const config = parseConfig(find(fleet, 'ConfigMap')!.data['cloudpulse.yml'], 'rendered ConfigMap');
    const metricsPort = headless.spec.ports.find((p: { name: string }) => p.name === 'metrics').port;
    // a StatefulSet pod's DNS name is <pod>.<serviceName>.<namespace>.svc
    for (let i = 0; i < 4; i++) {
      expect(config.cluster.peer_url!.replaceAll('{member}', String(i))).toBe(
        `http://${sts.metadata.name}-${i}.${sts.spec.serviceName}.monitoring.svc:${metricsPort}`,
      );
    }
    // KEDA and API clients use the ordinary Service (any member answers, forwarding to an owner)
    expect(service.metadata.name).toBe('cloudpulse');
    expect(service.spec.ports.map((p: { name: string }) => p.name)).toEqual(['metrics', 'grpc']);
  });

  it('gives every member its own model store at --storage.path, and nothing else writable', () => {
    const sts = find(fleet, 'StatefulSet')!;
    const [claim] = sts.spec.volumeClaimTemplates;
    expect(claim).toMatchObject({
      metadata: { name: 'models' },
      spec: {
        accessModes: ['ReadWriteOnce'],
        storageClassName: 'fast-ssd',
        resources: { requests: { storage: '5Gi' } },
      },
    });
    const c = container(fleet, 'StatefulSet');
    const storagePath = c.args.find((a: string) => a.startsWith('--storage.path=')).split('=')[1];
    expect(c.volumeMounts).toContainEqual({ name: 'models', mountPath: storagePath });
    // the claim template supplies the volume: none of the pod's own volumes is called models
    expect(sts.spec.template.spec.volumes.map((v: { name: string }) => v.name)).not.toContain('models');
    const writable = c.volumeMounts.filter((m: { readOnly?: boolean }) => !m.readOnly);
    expect(writable.map((m: { mountPath: string }) => m.mountPath).sort()).toEqual(['/tmp', storagePath]);
  });

  it('spreads the members over nodes and lets at most replication - 1 of them be evicted at once', async () => {
    const sts = find(fleet, 'StatefulSet')!;
    const [spread] = sts.spec.template.spec.topologySpreadConstraints;
    expect(spread).toMatchObject({
      maxSkew: 1,
      topologyKey: 'kubernetes.io/hostname',
      whenUnsatisfiable: 'DoNotSchedule',
    });
    expect(spread.minDomains).toBeUndefined();
    expect(selects(spread.labelSelector, sts.spec.template.metadata.labels)).toBe(true);
    const pdb = find(fleet, 'PodDisruptionBudget')!;
    expect(pdb.spec.maxUnavailable).toBe(1);
    expect(selects(pdb.spec.selector, sts.spec.template.metadata.labels)).toBe(true);

    const wide = await render({
      ...FLEET,
      cluster: { members: 5, replication: 3, topologySpread: { minDomains: 5 } },
      topologySpreadConstraints: [
        { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway' },
      ],
    });
    expect(wide.flatMap((o) => schemaProblems(o.value, `${o.source} ${o.value.kind}`))).toEqual([]);
    expect(find(wide, 'PodDisruptionBudget')!.spec.maxUnavailable).toBe(2);
    const constraints = find(wide, 'StatefulSet')!.spec.template.spec.topologySpreadConstraints;
    expect(constraints.map((t: { topologyKey: string; minDomains?: number }) => [t.topologyKey, t.minDomains])).toEqual(
      [
        ['kubernetes.io/hostname', 5],
        ['topology.kubernetes.io/zone', undefined],
      ],
    );
    const alone = await render({ ...FLEET, cluster: { members: 3, replication: 1 } });
    expect(find(alone, 'PodDisruptionBudget')!.spec.maxUnavailable).toBe(1);
    const none = await render({ ...FLEET, cluster: { podDisruptionBudget: { enabled: false } } });
    expect(find(none, 'PodDisruptionBudget')).toBeUndefined();
  });

  it('scrapes every member once, with the replica in cloudpulse_replica and a stable instance', () => {
    const monitor = find(fleet, 'ServiceMonitor')!;
    const services = all(fleet, 'Service');
    const scraped = services.filter((svc) => selects(monitor.spec.selector, svc.metadata.labels));
    expect(scraped.map((svc) => svc.metadata.name)).toEqual(['cloudpulse']); // not the headless one too
    const [endpoint] = monitor.spec.endpoints;
    expect(endpoint.honorLabels).toBe(true);
    expect(scraped[0].spec.ports.map((p: { name: string }) => p.name)).toContain(endpoint.port);
    expect(endpoint.relabelings).toEqual([
      { targetLabel: 'job', replacement: 'cloudpulse' },
      { sourceLabels: ['__meta_kubernetes_pod_name'], targetLabel: 'cloudpulse_replica' },
      { targetLabel: 'instance', replacement: 'cloudpulse.monitoring.svc:9847' },
      { action: 'labeldrop', regex: 'pod' },
    ]);
    // the same convention in mode deployment, so the shipped rules read one shape of labels
    expect(find(defaults, 'ServiceMonitor')!.spec.endpoints[0].relabelings).toEqual(endpoint.relabelings);
  });

  it('lets members reach each other over TLS with the certificate the chart projects', async () => {
    const objects = await render({
      ...FLEET,
      web: { config: { existingSecret: 'cloudpulse-web-config' }, tlsSecret: 'cloudpulse-tls', tls: { enabled: true } },
      cluster: { members: 3, peer: { tls: { ca_file: '/etc/cloudpulse/web/ca.crt' } } },
    });
    const config = parseConfig(find(objects, 'ConfigMap')!.data['cloudpulse.yml'], 'rendered ConfigMap');
    expect(config.cluster.peer_url).toBe('https://cloudpulse-{member}.cloudpulse-headless.monitoring.svc:9847');
    expect(config.cluster.peer?.tls?.ca_file).toBe('/etc/cloudpulse/web/ca.crt');
    const mounts = container(objects, 'StatefulSet').volumeMounts.map((m: { mountPath: string }) => m.mountPath);
    expect(mounts).toContain('/etc/cloudpulse/web');
  });

  it('can pass the member index from the pod-index label instead of the hostname', async () => {
    const objects = await render({
      ...FLEET,
      cluster: { memberFromPodIndexLabel: true },
      extraEnv: [{ name: 'TZ', value: 'UTC' }],
    });
    const c = container(objects, 'StatefulSet');
    expect(c.args).toContain('--cluster.member=$(CLOUDPULSE_MEMBER)');
    expect(c.env).toEqual([
      {
        name: 'CLOUDPULSE_MEMBER',
        valueFrom: { fieldRef: { fieldPath: "metadata.labels['apps.kubernetes.io/pod-index']" } },
      },
      { name: 'TZ', value: 'UTC' },
    ]);
    expect(objects.flatMap((o) => schemaProblems(o.value, `${o.source} ${o.value.kind}`))).toEqual([]);
  });

  it('refuses fleet values that cannot work, saying which', async () => {
    const refusals: [object, string][] = [
      [{ cluster: { members: 3 } }, 'more than one member needs mode: statefulset'],
      [{ mode: 'daemonset' }, 'mode must be deployment or statefulset'],
      [
        { ...FLEET, cluster: { members: 2, replication: 3 } },
        'cluster.replication must be a whole number from 1 to cluster.members (2)',
      ],
      [{ ...FLEET, cluster: { members: 2.5 } }, 'cluster.members must be a whole number'],
      [{ ...FLEET, persistence: { existingClaim: 'models' } }, 'persistence.existingClaim is for mode: deployment'],
      [{ ...FLEET, config: { cluster: { members: 4 } } }, 'config.cluster is rendered from the chart'],
      [{ ...FLEET, cluster: { peerUrl: 'http://cloudpulse:9847' } }, 'cluster.peerUrl must contain {member}'],
      [{ ...FLEET, fullnameOverride: 'x'.repeat(53) }, 'mode: statefulset needs a name of at most 52 characters'],
    ];
    for (const [values, message] of refusals) {
      const result = await renderChart(CHART, values);
      expect(result, JSON.stringify(values)).toMatchObject({ ok: false, error: expect.stringContaining(message) });
    }
  });

  it('renders the values docs/fleet.md walks through', async () => {
    const { objects, config } = await renderPage('docs/fleet.md', 1);
    expect(config.cluster.members).toBeGreaterThan(1);
    expect(find(objects, 'StatefulSet')!.spec.replicas).toBe(config.cluster.members);
  });
});
