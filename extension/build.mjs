// Builds the two publishable OHIF packages from their sources, with esbuild, as self-contained ES
// modules (nothing of @ohif/*, cornerstone or React inside: the host's objects come through OHIF's
// managers at run time). For each package (extension/, mode/):
//
//   dist/plugins/<package name>/<version>/   the runtime plugin folder, to host at that same path
//       medsam2-extension.js | medsam2-mode.js   ES module entry (OHIF 3.13 app-config URL, 3.14 descriptor)
//       medsam2-worker.js, ort/                  (extension) the engine's module worker and the
//                                                onnxruntime-web files it loads, found beside the entry
//       medsam2-graph-worker.js                  (extension) the image encoder's own onnxruntime
//                                                instance, a worker the engine worker starts
//       descriptor.json                          the OHIF 3.14 runtime descriptor: packageName,
//                                                importPath, coreVersionRange, integrity (sha384)
//   lib/index.mjs                            the entry an OHIF source build imports (pluginConfig.json):
//                                            no import.meta (the bundler would bake in a file path); the
//                                            extension finds its worker at <PUBLIC_URL>plugins/<name>/<version>/,
//                                            where OHIF's build copies the package's dist/ folder.
//
// Only what changed is rebuilt: the inputs the last build read (every bundled source file, the ort
// files, this script, the package.json files) are hashed; when they and the outputs are unchanged the
// build is skipped. A build runs under a lock, into a staging folder, and only files whose bytes
// changed are renamed into place, so a server serving the folders meanwhile is never handed a
// half-written file.
//
// Usage: node extension/build.mjs [--force] [--watch]
//        node extension/build.mjs --bench <dir>   the benchmark's browser page (not deployed): index.html,
//                                                 medsam2-bench.js, medsam2-graph-worker.js and ort/ in <dir>
//                                                 (npm run bench does this)
import { build, context } from 'esbuild';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import console from 'node:console';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { isFresh, swapIn, withLock, writeStamp } from '../scripts/fresh.cjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const readJson = (p) => JSON.parse(readFileSync(resolve(root, p), 'utf8'));

/** The two packages, as their package.json files name them. */
export function packages() {
  const ext = readJson('extension/package.json');
  const mode = readJson('mode/package.json');
  return {
    extension: {
      dir: 'extension',
      name: ext.name,
      version: ext.version,
      coreRange: ext.peerDependencies['@ohif/core'],
      entry: 'extension/src/index.ts',
      file: 'medsam2-extension',
    },
    mode: {
      dir: 'mode',
      name: mode.name,
      version: mode.version,
      coreRange: mode.peerDependencies['@ohif/core'],
      entry: 'mode/src/index.ts',
      file: 'medsam2-mode',
    },
  };
}

/** URL path of a package's runtime plugin folder (OHIF 3.14's /plugins/<name>/<version>/ convention). */
export const pluginPath = (p) => `/plugins/${p.name}/${p.version}/`;

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
  absWorkingDir: root,
  metafile: true,
};

const ORT_FILES = ['ort-wasm-simd-threaded.jsep.mjs', 'ort-wasm-simd-threaded.jsep.wasm'];
const ORT_DIR = 'node_modules/onnxruntime-web/dist';

/**
 * The worker fetches onnxruntime's wasm binary itself (progress, Cache Storage): the build pins the
 * file it copies by name and sha256 (extension/src/worker/browser-entry.ts reads this).
 */
async function ortPin() {
  const file = ORT_FILES.find((f) => f.endsWith('.wasm'));
  const sha256 = createHash('sha256')
    .update(await readFile(join(root, ORT_DIR, file)))
    .digest('hex');
  return { __MEDSAM2_ORT_WASM__: JSON.stringify({ file, sha256 }) };
}

async function copyOrt(dir) {
  await mkdir(join(dir, 'ort'), { recursive: true });
  for (const f of ORT_FILES) await copyFile(join(root, ORT_DIR, f), join(dir, 'ort', f));
}

/** The extension's module workers: the engine, and the image encoder's own onnxruntime instance. */
const WORKERS = [
  { in: 'extension/src/worker/browser-entry.ts', out: 'medsam2-worker' },
  { in: 'extension/src/worker/graph-entry.ts', out: 'medsam2-graph-worker' },
];

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

/** Subresource-integrity value of a file (what the 3.14 descriptor's `integrity` holds). */
export function integrity(bytes) {
  return `sha384-${createHash('sha384').update(bytes).digest('base64')}`;
}

/** Builds both packages into `staging/<dir>/{dist,lib}`; returns the source files esbuild read. */
async function buildInto(staging) {
  const pk = packages();
  const inputs = new Set();
  const note = (result) => Object.keys(result.metafile.inputs).forEach((f) => inputs.add(f));
  const pluginDir = (p) => join(staging, p.dir, 'dist', 'plugins', p.name, p.version);

  // Runtime ES modules, loaded from their plugin folder (import.meta.url locates the files beside).
  note(
    await build({
      ...common,
      entryPoints: [{ in: pk.extension.entry, out: pk.extension.file }, ...WORKERS],
      define: { ...common.define, ...(await ortPin()) },
      outdir: pluginDir(pk.extension),
      plugins: [refuseHostLibraries()],
    }),
  );
  note(
    await build({
      ...common,
      banner: undefined,
      entryPoints: [{ in: pk.mode.entry, out: pk.mode.file }],
      outdir: pluginDir(pk.mode),
      plugins: [refuseHostLibraries()],
    }),
  );
  await copyOrt(pluginDir(pk.extension));

  // Source-build entries: OHIF's bundler imports these; the worker is found in the copied dist/.
  const workerBase = `plugins/${pk.extension.name}/${pk.extension.version}/${pk.extension.file}.js`;
  note(
    await build({
      ...common,
      banner: {
        js:
          `var __medsam2ModuleUrl = new URL((globalThis.PUBLIC_URL || '/') + ${JSON.stringify(workerBase)}, ` +
          `globalThis.location ? globalThis.location.href : 'http://localhost/').href;`,
      },
      entryPoints: [{ in: pk.extension.entry, out: 'index' }],
      outExtension: { '.js': '.mjs' },
      outdir: join(staging, 'extension', 'lib'),
      plugins: [refuseHostLibraries()],
    }),
  );
  note(
    await build({
      ...common,
      banner: undefined,
      entryPoints: [{ in: pk.mode.entry, out: 'index' }],
      outExtension: { '.js': '.mjs' },
      outdir: join(staging, 'mode', 'lib'),
      plugins: [refuseHostLibraries()],
    }),
  );

  for (const p of [pk.extension, pk.mode]) {
    const entry = join(pluginDir(p), `${p.file}.js`);
    const descriptor = {
      packageName: p.name,
      importPath: `${pluginPath(p)}${p.file}.js`,
      coreVersionRange: p.coreRange,
      integrity: integrity(await readFile(entry)),
    };
    await writeFile(join(pluginDir(p), 'descriptor.json'), JSON.stringify(descriptor, null, 2) + '\n');
  }
  return [...inputs].filter((f) => !f.startsWith('<'));
}

/** The files besides the bundled sources whose change means a rebuild. */
const BUILD_INPUTS = [
  'extension/build.mjs',
  'scripts/fresh.cjs',
  'extension/package.json',
  'mode/package.json',
  'node_modules/esbuild/package.json',
  ...ORT_FILES.map((f) => `${ORT_DIR}/${f}`),
];
const OUTPUT_DIRS = ['extension/dist', 'extension/lib', 'mode/dist', 'mode/lib'];
const STAMP_FILE = resolve(root, '.cache', 'stamps', 'build.json');
const LOCK_FILE = resolve(root, '.cache', 'locks', 'build.lock');

/** Builds when an input or output changed since the last build; returns what it did. */
export async function buildPackages({ force = false, log = console.log } = {}) {
  return withLock(LOCK_FILE, async () => {
    if (!force && isFresh(root, STAMP_FILE)) {
      log('build: up to date (no input changed)');
      return { built: false, changed: [] };
    }
    const staging = resolve(root, '.cache', `build-staging-${process.pid}`);
    rmSync(staging, { recursive: true, force: true });
    try {
      const inputs = await buildInto(staging);
      const changed = [];
      for (const d of OUTPUT_DIRS) {
        const from = join(staging, d);
        if (!existsSync(from)) continue;
        changed.push(...swapIn(from, resolve(root, d)).map((f) => `${d}/${f}`));
      }
      writeStamp(root, STAMP_FILE, [...inputs, ...BUILD_INPUTS], OUTPUT_DIRS);
      log(
        `build: ${changed.length ? `${changed.length} file(s) changed` : 'outputs unchanged'} in ` +
          OUTPUT_DIRS.join(', '),
      );
      return { built: true, changed };
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  });
}

async function main() {
  const benchAt = process.argv.indexOf('--bench');
  if (benchAt >= 0) {
    const dir = process.argv[benchAt + 1];
    if (!dir) throw new Error('--bench needs an output folder');
    await build({
      ...common,
      entryPoints: [
        { in: 'extension/bench/page.ts', out: 'medsam2-bench' },
        // The page runs the engine itself; the image encoder's own instance is a worker beside it.
        WORKERS[1],
      ],
      outdir: resolve(dir),
      plugins: [refuseHostLibraries()],
    });
    await copyFile(join(here, 'bench', 'index.html'), join(resolve(dir), 'index.html'));
    await copyOrt(resolve(dir));
  } else if (process.argv.includes('--watch')) {
    await buildPackages({ force: true });
    const pk = packages().extension;
    const ctx = await context({
      ...common,
      entryPoints: [{ in: pk.entry, out: pk.file }, ...WORKERS],
      define: { ...common.define, ...(await ortPin()) },
      outdir: resolve(root, 'extension', 'dist', 'plugins', pk.name, pk.version),
      plugins: [refuseHostLibraries()],
    });
    await ctx.watch();
    console.log(`build: watching the extension's runtime bundles (${relative(root, here)})`);
  } else {
    await buildPackages({ force: process.argv.includes('--force') });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    console.error(`build: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
}
