/** HTTP error codes the exporter answers with, in one place. */
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
} as const;
