/**
 * The Helm chart in mode `statefulset` (a fleet of members, docs/fleet.md), rendered as `helm
 * template` would and checked against the Kubernetes schemas and the exporter's own membership
 * rules.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../exporter/src/config/load.js';
import { Membership } from '../exporter/src/cluster/membership.js';
import { renderChart, type RenderedObject } from './support/helm-render.js';
import { CHART, container, find, render, renderPage } from './support/helm-chart.js';
import { schemaProblems } from './support/kubernetes-schemas.js';

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
  let defaults: RenderedObject[];
  beforeAll(async () => {
    [fleet, defaults] = await Promise.all([render(FLEET), render({})]);
  }, 120_000);
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
