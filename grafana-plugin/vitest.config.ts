/** The plugin's unit and component tests: the base in .config/, named as a project of the root's vitest. */
import { mergeConfig } from 'vitest/config';
import base from './.config/vitest.config.ts';

export default mergeConfig(base, { test: { name: 'grafana-plugin' } });
