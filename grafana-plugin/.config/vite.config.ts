/*
 * Generated-style base config (see README.md here): extend it from ../vite.config.ts, do not edit it.
 *
 * Builds dist/module.js in the format Grafana's SystemJS loader expects: an AMD module (Rolldown,
 * vite 8's bundler, has no plain 'amd' output; its UMD output takes the AMD branch under SystemJS'
 * AMD extra), with everything Grafana provides left as AMD dependencies.
 */
import { defineConfig } from 'vite';
import { isProvidedByGrafana } from './bundler/externals.ts';

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
      external: isProvidedByGrafana,
      output: { globals: (id) => id.replace(/\W/g, '_') },
    },
  },
  // the automatic runtime imports react/jsx-runtime, which stays external (Grafana's own)
  oxc: { jsx: { runtime: 'automatic', development: false } },
  define: { 'process.env.NODE_ENV': JSON.stringify('production') },
});
