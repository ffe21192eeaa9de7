// Bootstrap for the lost-GPU test worker (TypeScript through tsx, no build step).
require('tsx/cjs/api').register();
require('./lost-gpu-entry.ts');
