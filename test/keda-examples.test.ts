/**
 * The shipped KEDA examples (deploy/autoscaling/) against KEDA's own CRD schemas, as packaged by
 * @kubernetes-models/keda (the OpenAPI schema of KEDA's ScaledObject and TriggerAuthentication
 * CRDs), and against CloudPulse: every external trigger's metadata is accepted by the exporter's
 * own parser, names a series entry of the example config with the band and horizon it needs,
 * has a reactive trigger beside it, and authenticates with a TriggerAuthentication that gives
 * KEDA a CA and a client certificate.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import { TriggerAuthentication } from '@kubernetes-models/keda/keda.sh/v1alpha1/TriggerAuthentication';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { parseConfig } from '../exporter/src/config/load.js';
import { parseMetadata } from '../exporter/src/scaler/metadata.js';
import { plannerPolicy } from '../exporter/src/scaler/policy.js';
import { leadSteps } from '../exporter/src/scaling/planner.js';
import { repoPath } from './support/cloudpulse-repo.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- manifests are read by path below
type Manifest = Record<string, any>;

const dir = repoPath('deploy/autoscaling');
const manifests = readdirSync(dir)
  .filter((f) => /\.ya?ml$/.test(f))
  .flatMap((file) =>
    parseAllDocuments(readFileSync(`${dir}/${file}`, 'utf8')).map((d) => ({ file, value: d.toJS() as Manifest })),
  )
  .filter((m) => m.value?.apiVersion === 'keda.sh/v1alpha1');

const schemaProblem = (m: Manifest): string | undefined => {
  const Model =
    m.kind === 'ScaledObject' ? ScaledObject : m.kind === 'TriggerAuthentication' ? TriggerAuthentication : undefined;
  if (!Model) return `no schema for ${m.kind}`;
  try {
    new Model(m as never).validate();
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
};

const configMap = parseAllDocuments(readFileSync(repoPath('deploy/kubernetes/configmap.yaml'), 'utf8'))[0].toJS();
const config = parseConfig(configMap.data['cloudpulse.yml'], 'deploy/kubernetes/configmap.yaml data.cloudpulse.yml');

const scaledObjects = manifests.filter((m) => m.value.kind === 'ScaledObject');
const external = scaledObjects.filter((so) => so.value.spec.triggers.some((t: Manifest) => t.type === 'external'));

describe('KEDA examples', () => {
  it("validate against KEDA's ScaledObject and TriggerAuthentication schemas", () => {
    expect(scaledObjects.length).toBeGreaterThanOrEqual(2);
    expect(manifests.some((m) => m.value.kind === 'TriggerAuthentication')).toBe(true);
    expect(
      manifests.map((m) => [`${m.file} ${m.value.kind} ${m.value.metadata.name}`, schemaProblem(m.value)]),
    ).toEqual(manifests.map((m) => [`${m.file} ${m.value.kind} ${m.value.metadata.name}`, undefined]));
  });

  it('the schema check is live: it rejects what KEDA would reject', () => {
    const so = structuredClone(external[0].value);
    so.spec.triggers[0].metadata.target = 50; // metadata values must be strings
    expect(schemaProblem(so)).toMatch(/metadata\/target must be string/);
    delete so.spec.scaleTargetRef;
    expect(schemaProblem(so)).toMatch(/scaleTargetRef/);
    expect(schemaProblem({ ...manifests[0].value, kind: 'ScaledJobby' })).toBe('no schema for ScaledJobby');
  });

  it('ship an external trigger with a reactive trigger beside it, served by the example config', () => {
    expect(external.length).toBeGreaterThanOrEqual(1);
    for (const so of external) {
      const where = `${so.file} ${so.value.metadata.name}`;
      const triggers: Manifest[] = so.value.spec.triggers;
      expect(
        triggers.some((t) => t.type !== 'external'),
        `${where}: a reactive trigger`,
      ).toBe(true);
      for (const t of triggers.filter((t) => t.type === 'external')) {
        // KEDA's fallback needs AverageValue; the planner's metric is meant to be divided by replicas
        expect(t.metricType, where).toBe('AverageValue');
        const query = parseMetadata(t.metadata);
        const entry = config.series.find((s) => s.name === query.series);
        expect(entry, `${where}: series ${query.series} in the example config`).toBeDefined();
        const policy = plannerPolicy(query.settings, entry!.step);
        if (policy.level !== undefined) expect(entry!.levels, `${where}: level`).toContain(policy.level);
        const longest = Math.max(...entry!.horizons.map((h) => Math.round(h / entry!.step)));
        expect(leadSteps(policy.leadTime, entry!.step), `${where}: lead time within the forecast`).toBeLessThanOrEqual(
          longest,
        );
        // the scaler's address is the Service shipped beside it
        const [host, port] = String(t.metadata.scalerAddress).split(':');
        const [service, namespace] = host.split('.');
        const svc = readdirSync(dir)
          .flatMap((f) => parseAllDocuments(readFileSync(`${dir}/${f}`, 'utf8')).map((d) => d.toJS() as Manifest))
          .find((m) => m?.kind === 'Service' && m.metadata.name === service && m.metadata.namespace === namespace);
        expect(
          svc?.spec.ports.map((p: Manifest) => p.port),
          `${where}: Service ${host}`,
        ).toContain(Number(port));
      }
    }
  });

  it('authenticate the external trigger with a CA and a client certificate', () => {
    for (const so of external) {
      for (const t of (so.value.spec.triggers as Manifest[]).filter((t) => t.type === 'external')) {
        const auth = manifests.find(
          (m) =>
            m.value.kind === 'TriggerAuthentication' &&
            m.value.metadata.name === t.authenticationRef?.name &&
            m.value.metadata.namespace === so.value.metadata.namespace,
        );
        expect(auth, `${so.value.metadata.name}: TriggerAuthentication ${t.authenticationRef?.name}`).toBeDefined();
        const params = (auth!.value.spec.secretTargetRef as Manifest[]).map((r) => r.parameter).sort();
        expect(params).toEqual(['caCert', 'tlsClientCert', 'tlsClientKey']);
        expect(t.metadata.enableTLS).toBe('true');
      }
    }
  });
});
