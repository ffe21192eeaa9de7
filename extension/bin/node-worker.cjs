// Bootstrap for the engine's Node worker_threads entry (TypeScript through tsx, no build step).
require('tsx/cjs/api').register();
require('../src/worker/node-entry.ts');
