/**
 * The .proto the server and every test client load is KEDA's external scaler contract: the
 * package, service, methods, messages and field numbers listed in issue 11, read back from the
 * loaded descriptor (the wire format is the field numbers and types).
 */
import { describe, expect, it } from 'vitest';
import { loadContract } from './contract.js';

describe('the contract', () => {
  it('has exactly the package, service, methods, messages and field numbers of the external scaler contract', () => {
    const { definition } = loadContract();
    const service = definition['externalscaler.ExternalScaler'] as unknown as Record<
      string,
      { path: string; responseStream: boolean; requestType: { type: { name: string } } } & {
        responseType: { type: { name: string } };
      }
    >;
    expect(
      Object.fromEntries(
        Object.entries(service).map(([name, m]) => [
          name,
          `${m.path} ${m.requestType.type.name} -> ${m.responseStream ? 'stream ' : ''}${m.responseType.type.name}`,
        ]),
      ),
    ).toEqual({
      IsActive: '/externalscaler.ExternalScaler/IsActive ScaledObjectRef -> IsActiveResponse',
      StreamIsActive: '/externalscaler.ExternalScaler/StreamIsActive ScaledObjectRef -> stream IsActiveResponse',
      GetMetricSpec: '/externalscaler.ExternalScaler/GetMetricSpec ScaledObjectRef -> GetMetricSpecResponse',
      GetMetrics: '/externalscaler.ExternalScaler/GetMetrics GetMetricsRequest -> GetMetricsResponse',
    });
    type Field = { name: string; number: number; type: string; label: string; typeName: string };
    type Message = { type: { field: Field[]; nestedType: Array<{ field: Field[]; options: { mapEntry: boolean } }> } };
    const messages: Record<string, string[]> = {};
    for (const [name, value] of Object.entries(definition)) {
      if (name === 'externalscaler.ExternalScaler') continue;
      const m = value as unknown as Message;
      messages[name] = m.type.field.map((f) => {
        const repeated = f.label === 'LABEL_REPEATED' ? 'repeated ' : '';
        const entry = m.type.nestedType.find((n) => n.options?.mapEntry);
        if (entry && f.typeName === (entry as unknown as { name: string }).name) {
          return `map<${entry.field.map((e) => e.type.replace('TYPE_', '').toLowerCase()).join(',')}> ${f.name} = ${f.number}`;
        }
        const type =
          f.type === 'TYPE_MESSAGE'
            ? f.typeName.replace(/^\.?externalscaler\./, '')
            : f.type.replace('TYPE_', '').toLowerCase();
        return `${repeated}${type} ${f.name} = ${f.number}`;
      });
    }
    expect(messages).toEqual({
      'externalscaler.ScaledObjectRef': [
        'string name = 1',
        'string namespace = 2',
        'map<string,string> scalerMetadata = 3',
      ],
      'externalscaler.IsActiveResponse': ['bool result = 1'],
      'externalscaler.GetMetricSpecResponse': ['repeated MetricSpec metricSpecs = 1'],
      'externalscaler.MetricSpec': ['string metricName = 1', 'int64 targetSize = 2', 'double targetSizeFloat = 3'],
      'externalscaler.GetMetricsRequest': ['ScaledObjectRef scaledObjectRef = 1', 'string metricName = 2'],
      'externalscaler.GetMetricsResponse': ['repeated MetricValue metricValues = 1'],
      'externalscaler.MetricValue': ['string metricName = 1', 'int64 metricValue = 2', 'double metricValueFloat = 3'],
    });
  });
});
