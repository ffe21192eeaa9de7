// `npm run models:test`: writes the analytic test model to models/test-tiny/ when its generator (or
// anything the generator imports) changed since the last run, else leaves it alone. Generated into a
// staging folder and swapped in file by file (only changed files), under a lock, so a server or a
// test reading models/test-tiny meanwhile never sees a half-written graph.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import console from 'node:console';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { isFresh, swapIn, withLock, writeStamp } from './fresh.cjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const GENERATOR = 'models/generate-test-model.ts';
const OUT = 'models/test-tiny';
const STAMP = resolve(root, '.cache', 'stamps', 'test-model.json');

/** Every file the generator reads, as esbuild resolves its imports (node_modules included). */
async function generatorInputs() {
  const r = await build({
    entryPoints: [GENERATOR],
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    write: false,
    metafile: true,
    logLevel: 'silent',
    outfile: 'unused.js',
  });
  return Object.keys(r.metafile.inputs).filter((f) => !f.startsWith('<'));
}

await withLock(resolve(root, '.cache', 'locks', 'test-model.lock'), async () => {
  if (!process.argv.includes('--force') && isFresh(root, STAMP)) {
    console.log(`test model: ${OUT} up to date`);
    return;
  }
  const inputs = [...(await generatorInputs()), 'scripts/test-model.mjs', 'scripts/fresh.cjs'];
  const staging = resolve(root, '.cache', `test-model-staging-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  try {
    const tsx = resolve(root, 'node_modules', '.bin', 'tsx');
    execFileSync(tsx, [GENERATOR, staging], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
    const changed = swapIn(staging, resolve(root, OUT));
    writeStamp(root, STAMP, inputs, [OUT]);
    console.log(`test model: ${OUT} ${changed.length ? `written (${changed.join(', ')})` : 'unchanged'}`);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
});
