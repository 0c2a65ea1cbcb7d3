/** /-/healthy (the process is up) and /-/ready (the first forecasts exist), as Prometheus does. */
import type { FastifyInstance } from 'fastify';
import { HTTP_ERRORS } from '../errors.js';

export default async function healthRoutes(app: FastifyInstance, opts: { ready: () => boolean }) {
  app.get('/-/healthy', async (_req, reply) => reply.type('text/plain').send('CloudPulse is Healthy.\n'));
  app.get('/-/ready', async (_req, reply) => {
    if (opts.ready()) return reply.type('text/plain').send('CloudPulse is Ready.\n');
    return reply.code(HTTP_ERRORS.NOT_READY.statusCode).type('text/plain').send(`${HTTP_ERRORS.NOT_READY.message}\n`);
  });
}
