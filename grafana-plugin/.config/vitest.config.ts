/*
 * Generated-style base config (see README.md here): extend it from ../vitest.config.ts, do not edit it.
 * Unit and component tests in jsdom with the real @grafana/* packages (create-plugin's jest setup, in vitest).
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx'],
    environment: 'jsdom',
    setupFiles: ['./.config/vitest-setup.ts'],
    testTimeout: 30_000,
    // Grafana's ESM builds import CommonJS packages (moment-timezone) by named export, which
    // Node's loader refuses; letting vite transform them applies the usual interop.
    server: { deps: { inline: [/@grafana\//] } },
  },
});
