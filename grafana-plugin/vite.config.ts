/** The plugin's build: the base in .config/ as it is (AMD module.js, Grafana's modules left external). */
import { mergeConfig } from 'vite';
import base from './.config/vite.config.ts';

export default mergeConfig(base, {});
