// Worker bootstrap when running from TypeScript sources: register tsx, then load the worker.
import { register } from 'tsx/esm/api';

register();
await import('./fit-worker.ts');
