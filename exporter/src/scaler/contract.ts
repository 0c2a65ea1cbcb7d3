/**
 * The external scaler contract, loaded at run time from externalscaler.proto beside this module
 * (from src/ when run through tsx, from dist/ once built: the build copies the .proto next to the
 * compiled file). The server and the tests load the same file, so they cannot disagree.
 */
import { fileURLToPath } from 'node:url';
import { loadPackageDefinition, type GrpcObject, type ServiceClientConstructor } from '@grpc/grpc-js';
import { loadSync, type PackageDefinition } from '@grpc/proto-loader';

export const PROTO_PATH = fileURLToPath(new URL('./externalscaler.proto', import.meta.url));

/** `longs: Number` so int64 fields are plain numbers; `defaults: true` so absent fields read as their zero value. */
export const LOADER_OPTIONS = { keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true } as const;

export interface ScaledObjectRef {
  name: string;
  namespace: string;
  scalerMetadata: Record<string, string>;
}
export interface IsActiveResponse {
  result: boolean;
}
export interface MetricSpec {
  metricName: string;
  targetSize: number;
  targetSizeFloat: number;
}
export interface GetMetricSpecResponse {
  metricSpecs: MetricSpec[];
}
export interface GetMetricsRequest {
  scaledObjectRef: ScaledObjectRef | null;
  metricName: string;
}
export interface MetricValue {
  metricName: string;
  metricValue: number;
  metricValueFloat: number;
}
export interface GetMetricsResponse {
  metricValues: MetricValue[];
}

export function loadContract(): { definition: PackageDefinition; service: ServiceClientConstructor } {
  const definition = loadSync(PROTO_PATH, LOADER_OPTIONS);
  const pkg = loadPackageDefinition(definition).externalscaler as GrpcObject;
  return { definition, service: pkg.ExternalScaler as ServiceClientConstructor };
}
