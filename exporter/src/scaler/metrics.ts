/** The scaler's self-metrics, registered on the exporter's registry (docs/metrics.md). */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { ScalerInactiveReason, ScalerMethod } from '../vocabulary.js';

export interface ScalerInstruments {
  /** one finished call, by its gRPC status code name (OK, INVALID_ARGUMENT, UNAVAILABLE...) */
  request(method: ScalerMethod, code: string): void;
  /** an inactive answer because the data cannot be trusted */
  inactive(series: string, reason: ScalerInactiveReason): void;
  /** StreamIsActive streams open now: +1 or -1 */
  streams(delta: number): void;
}

export function registerScalerMetrics(registry: Registry): ScalerInstruments {
  const registers = [registry];
  const requests = new Counter({
    name: 'cloudpulse_scaler_requests_total',
    help: 'KEDA external scaler calls by method and gRPC status code (a stream counts when it ends).',
    labelNames: ['method', 'code'],
    registers,
  });
  const inactive = new Counter({
    name: 'cloudpulse_scaler_inactive_total',
    help: 'Scaler answers of "inactive" because the source is down, the forecast is stale or missing, or no label set matches.',
    labelNames: ['series', 'reason'],
    registers,
  });
  const streams = new Gauge({
    name: 'cloudpulse_scaler_streams',
    help: 'StreamIsActive streams open now.',
    registers,
  });
  return {
    request: (method, code) => requests.inc({ method, code }),
    inactive: (series, reason) => inactive.inc({ series, reason }),
    streams: (delta) => streams.inc(delta),
  };
}
