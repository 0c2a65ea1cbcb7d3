/**
 * What the external scaler answers, independent of gRPC: the metric spec, the metric value and
 * the activity for a ScaledObject's trigger. Errors are typed so the server can map them to gRPC
 * status codes: MetadataError (INVALID_ARGUMENT) and ScalerUnavailable (UNAVAILABLE, so KEDA's
 * fallback applies after its failure threshold).
 */
import type { ScalerInactiveReason } from '../vocabulary.js';
import type { GetMetricSpecResponse, GetMetricsRequest, GetMetricsResponse, ScaledObjectRef } from './contract.js';
import { MetadataError, parseMetadata, type ScalerQuery } from './metadata.js';
import type { ScalerInstruments } from './metrics.js';
import { readScaleMetric, StepMemory, type Reading } from './reading.js';
import type { ScalerView } from './view.js';

export class ScalerUnavailable extends Error {
  constructor(
    readonly reason: ScalerInactiveReason,
    message: string,
  ) {
    super(message);
    this.name = 'ScalerUnavailable';
  }
}

/** parsed metadata kept per distinct metadata; KEDA sends the same map every sync */
const MAX_CACHED_QUERIES = 1000;

export class ScalerAnswers {
  private readonly queries = new Map<string, ScalerQuery>();
  private readonly memory = new StepMemory();

  constructor(
    private readonly view: ScalerView,
    private readonly instruments: ScalerInstruments,
  ) {}

  spec(ref: ScaledObjectRef): GetMetricSpecResponse {
    const { query } = this.query(ref);
    // problems show when KEDA builds the HPA: an unknown entry at once, a level without a band or
    // a lead time past the forecast as soon as there is a forecast to check them against
    readScaleMetric(this.view, query);
    return {
      metricSpecs: [
        {
          metricName: query.metricName,
          // KEDA before 2.17 reads only the integer; never claim a pod serves more than it does
          targetSize: Math.max(1, Math.floor(query.target)),
          targetSizeFloat: query.target,
        },
      ],
    };
  }

  metrics(request: GetMetricsRequest): GetMetricsResponse {
    const { query, key } = this.query(request.scaledObjectRef ?? { name: '', namespace: '', scalerMetadata: {} });
    const asked = request.metricName;
    // the HPA may lower-case the name it asks for
    if (asked && asked.toLowerCase() !== query.metricName) {
      throw new MetadataError(
        'metricName',
        `this trigger's metadata serves ${query.metricName}, not ${asked} (was the metadata changed?)`,
      );
    }
    const reading = readScaleMetric(this.view, query, { memory: this.memory, key, remember: true });
    if (!reading.ok) {
      this.instruments.inactive(query.series, reading.reason);
      throw new ScalerUnavailable(reading.reason, `${reading.message}; no scale metric`);
    }
    return {
      metricValues: [
        {
          metricName: asked || query.metricName,
          // KEDA before 2.17 reads only the integer; never understate the load
          metricValue: Math.ceil(reading.value),
          metricValueFloat: reading.value,
        },
      ],
    };
  }

  /** true while the scale metric is above the activation threshold and the data can be trusted */
  isActive(ref: ScaledObjectRef, count = true): boolean {
    const reading = this.read(ref);
    if (!reading.ok && count) this.instruments.inactive(reading.series, reading.reason);
    return reading.ok && reading.active;
  }

  /** the reading without remembering it for the step limits (activity checks must not move them) */
  read(ref: ScaledObjectRef): Reading & { series: string } {
    const { query, key } = this.query(ref);
    return {
      ...readScaleMetric(this.view, query, { memory: this.memory, key, remember: false }),
      series: query.series,
    };
  }

  /**
   * On a fleet, reads what other members hold for the trigger (ScalerView.prepare); bad metadata
   * is left for the answer itself to report.
   */
  async prepare(ref: ScaledObjectRef | undefined): Promise<void> {
    if (!this.view.prepare) return;
    let query: ScalerQuery;
    try {
      query = this.query(ref ?? { name: '', namespace: '', scalerMetadata: {} }).query;
    } catch (err) {
      if (err instanceof MetadataError) return;
      throw err;
    }
    await this.view.prepare(query);
  }

  /** Parses (once per distinct metadata) or throws MetadataError. */
  query(ref: ScaledObjectRef): { query: ScalerQuery; key: string } {
    const metadata = ref.scalerMetadata ?? {};
    const canonical = JSON.stringify(Object.entries(metadata).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    let query = this.queries.get(canonical);
    if (!query) {
      query = parseMetadata(metadata);
      if (this.queries.size >= MAX_CACHED_QUERIES) this.queries.clear();
      this.queries.set(canonical, query);
    }
    return { query, key: `${ref.namespace}/${ref.name}/${canonical}` };
  }
}
