/**
 * GET /series?id=KEY: one series' page. Its chart (history, bands, fan, anomaly markers), the
 * anomaly events of the log, what the model is and why, and a backtest of several models, all
 * drawn by static/series.js from the per-series JSON API (/api/v1/series/:id/...). The page is
 * the same for every series, so it is made once.
 */
import type { FastifyInstance } from 'fastify';
import { pageShell, rangeToolbar } from '../../view/page-shell.js';

const BODY = `<p><a href="./">← all series</a></p>
<section class="card" aria-labelledby="series-title">
<h2 id="series-title">…</h2><div class="labels" id="series-labels"></div>
${rangeToolbar()}
<div class="plot" id="chart"></div><div class="legend" id="legend"></div><div class="readout" id="readout"></div>
<div class="accuracy" id="accuracy"></div>
</section>
<section class="card" aria-labelledby="model-title"><h2 id="model-title">Model</h2><p id="model-sentence">loading…</p><div id="candidates"></div></section>
<section class="card" aria-labelledby="events-title"><h2 id="events-title">Anomaly events</h2><p class="muted" id="events-note">loading…</p><ol id="events"></ol></section>
<section class="card" aria-labelledby="backtest-title"><h2 id="backtest-title">Backtest</h2>
<form id="backtest-form" class="toolbar">
<label>Forecasts over <select name="span"><option value="21600">the last 6 h</option><option value="86400" selected>the last day</option><option value="259200">the last 3 days</option><option value="custom">a range…</option></select></label>
<label hidden>from <input type="datetime-local" name="from"></label><label hidden>to <input type="datetime-local" name="to"></label>
<label>origins <select name="origins"><option>6</option><option selected>12</option><option>24</option></select></label>
<fieldset id="backtest-models"><legend>models</legend></fieldset>
<button type="submit">Run backtest</button>
</form>
<p id="backtest-status" role="status" class="muted">loading…</p>
<div id="backtest-results" hidden>
<label>Horizon drawn <select id="backtest-horizon"></select></label>
<div class="plot" id="backtest-chart"></div><div class="legend" id="backtest-legend"></div>
<div id="backtest-table"></div>
<div id="advice"></div>
<details><summary>The same numbers from the command line</summary><p class="muted">Download <a id="backtest-csv" href="#">the input as CSV</a>, then run (numbers equal but for fit times):</p><pre id="backtest-commands"></pre></details>
</div>
</section>`;

export default async function seriesPage(app: FastifyInstance, opts: { telemetryPath?: string }) {
  const html = pageShell({
    title: 'CloudPulse · series',
    telemetryPath: opts.telemetryPath ?? '/metrics',
    body: BODY,
    script: 'series.js',
  });
  app.get('/series', async (_req, reply) => reply.type('text/html; charset=utf-8').send(html));
}
