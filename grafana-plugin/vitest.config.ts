import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'grafana-plugin',
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx'],
    environment: 'jsdom',
    setupFiles: ['./src/test-setup.ts'],
    testTimeout: 30_000,
    // Grafana's ESM builds import CommonJS packages (moment-timezone) by named export, which
    // Node's loader refuses; letting vite transform them applies the usual interop.
    server: { deps: { inline: [/@grafana\//] } },
  },
});
