/** Helpers for integration tests that run real binaries on loopback. Call `afterAll(stopAll)`. */
export { findBinary, findJemalloc, freePort, freePortRun, ManagedProcess, stopAll, tempDir } from './processes.js';
export { waitFor, waitForHttpOk, type WaitOptions } from './wait.js';
export {
  scrapeJob,
  startAlertmanager,
  startNodeExporter,
  startNodeStack,
  startPrometheus,
  type AlertmanagerOptions,
  type PrometheusOptions,
  type RunningPrometheus,
  type RunningService,
  type ScrapeConfig,
} from './stack.js';
export { startWebhookReceiver, type WebhookReceiver } from './webhook.js';
export { startFakePrometheus, type FakePrometheus, type FakeSeries } from './fake-prometheus.js';
