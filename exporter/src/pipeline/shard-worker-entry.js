// Worker bootstrap when running from TypeScript sources: register tsx, then load the shard worker.
import { register } from 'tsx/esm/api';

register();
await import('./shard-worker.ts');
