/**
 * The KEDA external scaler's gRPC listener (`--grpc.listen-address`). It serves the contract of
 * externalscaler.proto from the store, through a ScalerView: it is one more reader, like the
 * metrics route. Every call is counted by method and status code; bad metadata is
 * INVALID_ARGUMENT, untrustworthy data UNAVAILABLE, anything unexpected INTERNAL (logged): no
 * call can take the exporter down. Messages are bounded both ways; TLS is optional, with client
 * certificates when a CA is given.
 */
import {
  Server,
  ServerCredentials,
  status,
  type sendUnaryData,
  type ServerUnaryCall,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import type { Logger } from '../util/logger.js';
import type { ScalerMethod } from '../vocabulary.js';
import { ScalerAnswers, ScalerUnavailable } from './answers.js';
import { loadContract, type GetMetricsRequest, type ScaledObjectRef } from './contract.js';
import { MetadataError } from './metadata.js';
import type { ScalerInstruments } from './metrics.js';
import { ActivityStreams } from './stream.js';
import type { ScalerView } from './view.js';

/** PEM contents, as read from the same files the HTTP side uses */
export interface ScalerTls {
  cert: Buffer;
  key: Buffer;
  /** CA for client certificates; with it, clients must present one signed by it */
  ca?: Buffer;
  /** default: true when `ca` is given */
  requireClientCert?: boolean;
}

export interface ScalerServerOptions {
  view: ScalerView;
  instruments: ScalerInstruments;
  logger: Logger;
  tls?: ScalerTls;
  /** largest request and response, bytes (default 64 KiB: a ScaledObjectRef is a few hundred bytes) */
  maxMessageBytes?: number;
  /** most StreamIsActive streams open at once (default 1000) */
  maxStreams?: number;
  /** seconds between StreamIsActive polls (default: schedule.interval / 2, between 1 s and 15 s) */
  streamPollSeconds?: number;
}

export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024;

export class ScalerServer {
  private readonly server: Server;
  private readonly answers: ScalerAnswers;
  private readonly streams: ActivityStreams;

  constructor(private readonly o: ScalerServerOptions) {
    const maxBytes = o.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    this.server = new Server({
      'grpc.max_receive_message_length': maxBytes,
      'grpc.max_send_message_length': maxBytes,
    });
    this.answers = new ScalerAnswers(o.view, o.instruments);
    const poll = o.streamPollSeconds ?? Math.min(15, Math.max(1, o.view.interval / 2));
    this.streams = new ActivityStreams(this.answers, o.instruments, o.logger, poll, o.maxStreams ?? 1000);
    const handlers: UntypedServiceImplementation = {
      IsActive: this.unary(
        'IsActive',
        (ref: ScaledObjectRef) => ref,
        (ref) => ({ result: this.answers.isActive(ref) }),
      ),
      GetMetricSpec: this.unary(
        'GetMetricSpec',
        (ref: ScaledObjectRef) => ref,
        (ref) => this.answers.spec(ref),
      ),
      GetMetrics: this.unary(
        'GetMetrics',
        (req: GetMetricsRequest) => req.scaledObjectRef ?? undefined,
        (req) => this.answers.metrics(req),
      ),
      StreamIsActive: this.streams.handle,
    };
    this.server.addService(loadContract().service.service as ServiceDefinition, handlers);
  }

  /** Binds `host:port` (port 0 picks one) and returns the bound port. */
  listen(host: string, port: number): Promise<number> {
    const tls = this.o.tls;
    const credentials = tls
      ? ServerCredentials.createSsl(
          tls.ca ?? null,
          [{ private_key: tls.key, cert_chain: tls.cert }],
          tls.requireClientCert ?? tls.ca !== undefined,
        )
      : ServerCredentials.createInsecure();
    // IPv6 literals need their brackets back in a gRPC target
    const target = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
    return new Promise((resolve, reject) => {
      this.server.bindAsync(target, credentials, (err, bound) => (err ? reject(err) : resolve(bound)));
    });
  }

  /** Ends open streams, lets calls in flight finish for up to `graceMs`, then closes. */
  async close(graceMs = 2000): Promise<void> {
    this.streams.closeAll();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, graceMs);
      this.server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private unary<Req, Res>(
    method: ScalerMethod,
    refOf: (request: Req) => ScaledObjectRef | undefined,
    answer: (request: Req) => Res,
  ) {
    return async (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => {
      try {
        // on a fleet, what other members hold is read first (never throws)
        await this.answers.prepare(refOf(call.request));
        const response = answer(call.request);
        this.o.instruments.request(method, 'OK');
        return callback(null, response);
      } catch (err) {
        let code = status.INTERNAL;
        if (err instanceof MetadataError) code = status.INVALID_ARGUMENT;
        else if (err instanceof ScalerUnavailable) code = status.UNAVAILABLE;
        else this.o.logger.error({ method, err: (err as Error).message }, 'scaler call failed');
        this.o.instruments.request(method, status[code]);
        callback({ code, details: (err as Error).message });
      }
    };
  }
}
