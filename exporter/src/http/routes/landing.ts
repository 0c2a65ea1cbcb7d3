/** GET /: a small landing page linking the endpoints (the built-in view replaces this). */
import type { FastifyInstance } from 'fastify';

export default async function landing(app: FastifyInstance) {
  app.get('/', async (_req, reply) =>
    reply.type('text/html; charset=utf-8').send(`<!doctype html>
<html><head><meta charset="utf-8"><title>CloudPulse</title></head>
<body><h1>CloudPulse</h1><p>Forecasts and anomaly scores for Prometheus series.</p>
<ul><li><a href="metrics">Metrics</a></li><li><a href="-/healthy">Health</a></li><li><a href="-/ready">Readiness</a></li><li><a href="api/v1/series">Series (JSON)</a></li></ul>
</body></html>`),
  );
}
