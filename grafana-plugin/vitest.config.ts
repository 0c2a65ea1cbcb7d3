import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'grafana-plugin',
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx'],
    environment: 'jsdom',
    passWithNoTests: true,
  },
});
