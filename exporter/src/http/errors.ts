/** HTTP error codes the exporter answers with, in one place. */
import type { FastifyReply } from 'fastify';

export const HTTP_ERRORS = {
  NOT_READY: { statusCode: 503, code: 'CLOUDPULSE_NOT_READY', message: 'no forecasts yet: the first fits are running' },
  SERIES_NOT_FOUND: { statusCode: 404, code: 'CLOUDPULSE_SERIES_NOT_FOUND', message: 'no such series' },
  OWNER_UNREACHABLE: {
    statusCode: 503,
    code: 'CLOUDPULSE_OWNER_UNREACHABLE',
    message: 'the fleet members owning this series did not answer',
  },
  UNAUTHORIZED: { statusCode: 401, code: 'CLOUDPULSE_UNAUTHORIZED', message: 'missing or wrong credentials' },
  RATE_LIMITED: {
    statusCode: 429,
    code: 'CLOUDPULSE_RATE_LIMITED',
    message: 'too many requests (web config rate_limit)',
  },
  BAD_REQUEST: { statusCode: 400, code: 'CLOUDPULSE_BAD_REQUEST', message: 'bad request' },
  VIEW_BUSY: {
    statusCode: 429,
    code: 'CLOUDPULSE_VIEW_BUSY',
    message: 'backtests and validations already running or queued at their limit: try again shortly',
  },
  INPUT_GONE: {
    statusCode: 410,
    code: 'CLOUDPULSE_INPUT_GONE',
    message: 'that backtest input is no longer held: the oldest history has aged out of the lookback',
  },
  VIEW_JOB_FAILED: {
    statusCode: 503,
    code: 'CLOUDPULSE_VIEW_JOB_FAILED',
    message: 'the backtest or validation could not finish off the main thread',
  },
} as const;

/** Answer with one of HTTP_ERRORS, its message completed by `detail` when given. */
export function sendError(
  reply: FastifyReply,
  e: { statusCode: number; code: string; message: string },
  detail?: string,
): FastifyReply {
  return reply.code(e.statusCode).send({ error: e.code, message: detail ? `${e.message}: ${detail}` : e.message });
}
