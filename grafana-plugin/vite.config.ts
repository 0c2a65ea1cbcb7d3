/**
 * Builds dist/module.js as a UMD module (AMD when loaded), the format Grafana's SystemJS loader expects, with
 * React and Grafana's packages left to Grafana (it provides them at run time).
 */
import { defineConfig } from 'vite';

export const EXTERNALS = [
  'react',
  'react-dom',
  '@grafana/data',
  '@grafana/ui',
  '@grafana/runtime',
  '@emotion/css',
  '@emotion/react',
  'rxjs',
  'lodash',
];

export default defineConfig({
  publicDir: false,
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    minify: true,
    target: 'es2022',
    lib: { entry: 'src/module.ts', formats: ['umd'], name: 'cloudpulseForecastPanel', fileName: () => 'module.js' },
    rollupOptions: {
      // the JSX runtime is bundled (a few hundred bytes): not every Grafana version provides it
      external: (id) =>
        EXTERNALS.some((name) => id === name || id.startsWith(`${name}/`)) && !/^react\/jsx-(dev-)?runtime$/.test(id),
      // Rolldown (vite 8) has no 'amd' output; UMD takes its AMD branch under Grafana's SystemJS loader.
      output: { globals: (id) => id.replace(/\W/g, '_') },
    },
  },
  oxc: { jsx: { runtime: 'automatic', development: false } },
  define: { 'process.env.NODE_ENV': JSON.stringify('production') },
});
