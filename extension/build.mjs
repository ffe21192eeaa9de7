// Bundles the OHIF extension, its mode and the engine worker as ES modules a prebuilt OHIF app
// imports at run time, and copies the onnxruntime-web files the worker loads. Output: extension/dist/
//   medsam2-extension.js  (window.config.extensions entry)
//   medsam2-mode.js       (window.config.modes entry)
//   medsam2-worker.js     (module Web Worker, started by the extension)
//   ort/                  (onnxruntime-web wasm glue + binary, WebGPU-capable build)
// Usage: node extension/build.mjs [--watch]
//        node extension/build.mjs --bench <dir>   the benchmark's browser page (not deployed): index.html,
//                                                 medsam2-bench.js and ort/ in <dir> (npm run bench does this)
import { build, context } from 'esbuild';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import console from 'node:console';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const out = join(here, 'dist');

/** @type {import('esbuild').BuildOptions} */
const common = {
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  sourcemap: true,
  legalComments: 'none',
  logLevel: 'warning',
  // Files beside the bundle are resolved from this (see extension/src/host/module-url.ts).
  banner: { js: 'var __medsam2ModuleUrl = import.meta.url;' },
  // onnxruntime-web loads its wasm glue from `ort/` at run time instead of inlining it.
  conditions: ['onnxruntime-web-use-extern-wasm'],
  define: { 'process.env.NODE_ENV': '"production"' },
};

const entries = [
  { in: 'extension/src/index.ts', out: 'medsam2-extension' },
  { in: 'mode/src/index.ts', out: 'medsam2-mode' },
  { in: 'extension/src/worker/browser-entry.ts', out: 'medsam2-worker' },
];

const ORT_FILES = ['ort-wasm-simd-threaded.jsep.mjs', 'ort-wasm-simd-threaded.jsep.wasm'];

async function copyOrt(dir = out) {
  const from = join(root, 'node_modules/onnxruntime-web/dist');
  await mkdir(join(dir, 'ort'), { recursive: true });
  for (const f of ORT_FILES) await copyFile(join(from, f), join(dir, 'ort', f));
}

const options = {
  ...common,
  absWorkingDir: root,
  entryPoints: entries.map((e) => ({ in: e.in, out: e.out })),
  outdir: out,
  plugins: [refuseHostLibraries()],
};

/** The host's libraries come through OHIF's managers at run time: importing one is a build error. */
function refuseHostLibraries() {
  return {
    name: 'refuse-host-libraries',
    setup(b) {
      b.onResolve({ filter: /^(@ohif\/|@cornerstonejs\/|react$|react-dom)/ }, (args) => ({
        errors: [{ text: `${args.path} imported by ${args.importer}: use the host's managers instead` }],
      }));
    },
  };
}

const benchAt = process.argv.indexOf('--bench');
if (benchAt >= 0) {
  const dir = process.argv[benchAt + 1];
  if (!dir) throw new Error('--bench needs an output folder');
  await build({
    ...common,
    absWorkingDir: root,
    entryPoints: [{ in: 'extension/bench/page.ts', out: 'medsam2-bench' }],
    outdir: resolve(dir),
    plugins: [refuseHostLibraries()],
  });
  await copyFile(join(here, 'bench', 'index.html'), join(resolve(dir), 'index.html'));
  await copyOrt(resolve(dir));
} else if (process.argv.includes('--watch')) {
  await copyOrt();
  const ctx = await context(options);
  await ctx.watch();
  console.log(`build: watching, output in ${out}`);
} else {
  await rm(out, { recursive: true, force: true });
  await build(options);
  await copyOrt();
  console.log(`build: ${entries.map((e) => e.out + '.js').join(', ')} and ort/ in ${out}`);
}
