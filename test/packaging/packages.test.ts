/**
 * The two publishable packages as `npm pack` makes them (extension/ and mode/): what the tarball
 * holds, the OHIF discovery keywords and peer ranges, entries that exist, ids equal to package names,
 * the 3.14 runtime descriptor (integrity of the entry actually shipped), and the source-build entry
 * importable on its own (no import.meta, no imports left for OHIF's bundler to resolve).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build, stop as stopEsbuild } from 'esbuild';
import semver from 'semver';
import { OHIF_VERSION, TESTED_OHIF_VERSIONS, ohifVersionFromEnv } from '../../extension/serve/ohif-app';
import { EXTENSION_ID, EXTENSION_VERSION, MODE_ID, PANEL_ID } from '../../extension/src/ids';

const ROOT = path.resolve(__dirname, '../..');
const rootPkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  ohif: { default: string; tested: string[] };
};

interface Packed {
  readonly dir: string;
  readonly files: string[];
  readonly pkg: Record<string, unknown> & {
    name: string;
    version: string;
    keywords: string[];
    main: string;
    module: string;
    exports: Record<string, string>;
    peerDependencies: Record<string, string>;
    private?: boolean;
    files: string[];
  };
}

let work: string;
const packed: Record<'extension' | 'mode', Packed> = {} as never;

/** `npm pack` in a package folder, then the tarball extracted: its file list and package.json. */
function pack(dir: 'extension' | 'mode'): Packed {
  const dest = path.join(work, dir);
  execFileSync('mkdir', ['-p', dest]);
  const json = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dest], {
    cwd: path.join(ROOT, dir),
    encoding: 'utf8',
  });
  const [info] = JSON.parse(json) as { filename: string; files: { path: string }[] }[];
  execFileSync('tar', ['-xzf', path.join(dest, info.filename), '-C', dest]);
  const root = path.join(dest, 'package');
  return {
    dir: root,
    files: info.files.map((f) => f.path).sort(),
    pkg: JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')),
  };
}

/** The default export of an ES module file, as plain data, imported by a separate Node process. */
function importDefault(file: string): Record<string, unknown> {
  const script =
    'const m = await import(process.argv[1]); const d = m.default;' +
    'console.log(JSON.stringify({ ...d, keys: Object.keys(d) }));';
  return JSON.parse(
    execFileSync(process.execPath, ['--no-warnings', '--input-type=module', '-e', script, file], {
      encoding: 'utf8',
    }),
  );
}

beforeAll(() => {
  execFileSync(process.execPath, [path.join(ROOT, 'extension', 'build.mjs')], { cwd: ROOT, stdio: 'ignore' });
  work = mkdtempSync(path.join(tmpdir(), 'medsam2-pack-'));
  packed.extension = pack('extension');
  packed.mode = pack('mode');
}, 120_000);

afterAll(() => {
  stopEsbuild(); // esbuild's service process would keep jest from exiting
  if (work) rmSync(work, { recursive: true, force: true });
});

describe.each([
  ['extension', 'ohif-extension', 'medsam2-extension.js'],
  ['mode', 'ohif-mode', 'medsam2-mode.js'],
] as const)('npm pack %s/', (which, keyword, entry) => {
  const p = () => packed[which];

  test(`is publishable, with the ${keyword} keyword`, () => {
    expect(p().pkg.private).toBeUndefined();
    expect(p().pkg.keywords).toContain(keyword);
    expect(p().pkg.version).toBe(EXTENSION_VERSION);
  });

  test('peers on @ohif/core and @ohif/extension-cornerstone with a range covering exactly the OHIF releases tested', () => {
    const peers = p().pkg.peerDependencies;
    for (const name of ['@ohif/core', '@ohif/extension-cornerstone']) {
      const range = peers[name];
      expect(semver.validRange(range)).not.toBeNull();
      for (const v of rootPkg.ohif.tested)
        expect([name, v, semver.satisfies(v, range)]).toEqual([name, v, true]);
      // Nothing older than what was tested, nor the next minor.
      expect(semver.satisfies('3.12.18', range)).toBe(false);
      expect(semver.satisfies('3.15.0', range)).toBe(false);
    }
    expect(Object.keys(peers)).not.toContain('@ohif/mode-basic'); // not published on npm: would break installs
  });

  test('main, module and exports name files the tarball holds; it holds nothing but the build and its README', () => {
    const { pkg, files } = p();
    for (const f of [pkg.main, pkg.module, pkg.exports['.']]) expect(files).toContain(f.replace(/^\.\//, ''));
    expect(files).toContain('package.json');
    expect(files).toContain('README.md');
    expect(files).toContain(`dist/plugins/${pkg.name}/${pkg.version}/${entry}`);
    expect(files.filter((f) => !/^(lib\/|dist\/plugins\/|package\.json$|README\.md$)/.test(f))).toEqual([]);
    expect(files.filter((f) => f.endsWith('.ts'))).toEqual([]);
  });

  test('the 3.14 runtime descriptor names the package, its versioned path, the peer range and the sha384 of the shipped entry', () => {
    const { pkg, dir } = p();
    const base = `dist/plugins/${pkg.name}/${pkg.version}/`;
    const descriptor = JSON.parse(readFileSync(path.join(dir, base, 'descriptor.json'), 'utf8'));
    const bytes = readFileSync(path.join(dir, base, entry));
    expect(descriptor).toEqual({
      packageName: pkg.name,
      importPath: `/plugins/${pkg.name}/${pkg.version}/${entry}`,
      coreVersionRange: pkg.peerDependencies['@ohif/core'],
      integrity: `sha384-${createHash('sha384').update(bytes).digest('base64')}`,
    });
    expect(descriptor).not.toHaveProperty('globalName'); // an ES module: OHIF's loader takes its default export
  });

  test('the source-build entry (lib/) is self-contained: no import.meta for the bundler to bake in, no imports', () => {
    const { pkg, dir } = p();
    const code = readFileSync(path.join(dir, pkg.module), 'utf8');
    expect(code).not.toMatch(/import\.meta/);
    expect(code).not.toMatch(/^\s*import\s[^(]/m);
    expect(code).not.toMatch(/^\s*export\s.*\bfrom\s/m);
  });
});

describe('ids', () => {
  test('the extension id is its package name, in the code and in the runtime and source-build bundles', () => {
    const { pkg, dir } = packed.extension;
    expect(EXTENSION_ID).toBe(pkg.name);
    expect(PANEL_ID).toBe(`${pkg.name}.panelModule.medsam2`);
    const runtime = importDefault(
      path.join(dir, `dist/plugins/${pkg.name}/${pkg.version}/medsam2-extension.js`),
    );
    const lib = importDefault(path.join(dir, pkg.module));
    for (const m of [runtime, lib]) {
      expect(m.id).toBe(pkg.name);
      expect(m.keys).toEqual(
        expect.arrayContaining(['preRegistration', 'getCommandsModule', 'getPanelModule']),
      );
    }
  });

  test("the mode id is its package name and it depends on the extension's id and version", () => {
    const { pkg, dir } = packed.mode;
    expect(MODE_ID).toBe(pkg.name);
    expect(pkg.peerDependencies[EXTENSION_ID]).toBe(packed.extension.pkg.version);
    for (const file of [pkg.module, `dist/plugins/${pkg.name}/${pkg.version}/medsam2-mode.js`]) {
      const m = importDefault(path.join(dir, file));
      expect(m.id).toBe(pkg.name);
      expect(m.extensionDependencies).toMatchObject({
        [EXTENSION_ID]: `^${packed.extension.pkg.version}`,
        '@ohif/extension-cornerstone': expect.any(String),
      });
    }
  });

  test('the extension package ships the workers and the onnxruntime-web files beside its entry', () => {
    const { pkg, files } = packed.extension;
    const base = `dist/plugins/${pkg.name}/${pkg.version}/`;
    expect(files).toEqual(
      expect.arrayContaining([
        `${base}medsam2-worker.js`,
        `${base}medsam2-graph-worker.js`,
        `${base}ort/ort-wasm-simd-threaded.jsep.mjs`,
        `${base}ort/ort-wasm-simd-threaded.jsep.wasm`,
      ]),
    );
    expect(existsSync(path.join(packed.extension.dir, base, 'ort/ort-wasm-simd-threaded.jsep.wasm'))).toBe(
      true,
    );
  });
});

describe('OHIF source build (pluginConfig.json), with esbuild standing in for its bundler', () => {
  test("OHIF's generated import('<package name>') resolves both packages from node_modules to lib/index.mjs and bundles", async () => {
    // What writePluginImportsFile.js generates for pluginConfig entries, reduced to the two imports.
    const app = path.join(work, 'app');
    for (const which of ['extension', 'mode'] as const) {
      const target = path.join(app, 'node_modules', packed[which].pkg.name);
      execFileSync('mkdir', ['-p', path.dirname(target)]);
      execFileSync('cp', ['-r', packed[which].dir, target]);
    }
    writeFileSync(
      path.join(app, 'pluginImports.js'),
      `export async function loadModule(m) {\n` +
        `  if (m === ${JSON.stringify(EXTENSION_ID)}) return (await import(${JSON.stringify(EXTENSION_ID)})).default;\n` +
        `  if (m === ${JSON.stringify(MODE_ID)}) return (await import(${JSON.stringify(MODE_ID)})).default;\n` +
        `}\n`,
    );
    const result = await build({
      entryPoints: [path.join(app, 'pluginImports.js')],
      absWorkingDir: app,
      bundle: true,
      format: 'esm',
      platform: 'browser',
      splitting: true,
      outdir: path.join(app, 'out'),
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs).toContain(`node_modules/${EXTENSION_ID}/lib/index.mjs`);
    expect(inputs).toContain(`node_modules/${MODE_ID}/lib/index.mjs`);
    expect(inputs.filter((f) => !f.endsWith('lib/index.mjs') && f !== 'pluginImports.js')).toEqual([]);
  });
});

describe('OHIF releases', () => {
  test('the e2e suite and npm start pick a tested release from MEDSAM2_OHIF_VERSION, refusing others by name', () => {
    expect(OHIF_VERSION).toBe(rootPkg.ohif.default);
    expect(TESTED_OHIF_VERSIONS).toEqual(['3.13.2', '3.14.0-beta.6']);
    expect(ohifVersionFromEnv({})).toBe('3.13.2');
    expect(ohifVersionFromEnv({ MEDSAM2_OHIF_VERSION: '3.14.0-beta.6' })).toBe('3.14.0-beta.6');
    expect(() => ohifVersionFromEnv({ MEDSAM2_OHIF_VERSION: '3.12.0' })).toThrow(
      'MEDSAM2_OHIF_VERSION=3.12.0: not a tested OHIF version (3.13.2, 3.14.0-beta.6)',
    );
  });
});
