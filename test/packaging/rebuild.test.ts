/**
 * Rebuild-only-what-changed (scripts/fresh.cjs, used by the build and the test-model step), the
 * build run twice at once, and the system-package preflight naming what is missing.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const ROOT = path.resolve(__dirname, '../..');
const run = promisify(execFile);

// eslint-disable-next-line @typescript-eslint/no-require-imports
const fresh = require('../../scripts/fresh.cjs') as {
  isFresh(root: string, stampFile: string): boolean;
  writeStamp(root: string, stampFile: string, inputs: string[], outputDirs: string[]): void;
  swapIn(staging: string, target: string): string[];
  withLock<T>(lockFile: string, fn: () => Promise<T>, timeoutMs?: number): Promise<T>;
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'medsam2-fresh-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('fresh.cjs', () => {
  test('a stamp is fresh until an input file or an output file changes', async () => {
    const f = fresh;
    writeFileSync(path.join(dir, 'a.ts'), 'one');
    mkdirSync(path.join(dir, 'out'));
    writeFileSync(path.join(dir, 'out', 'a.js'), 'built');
    const stamp = path.join(dir, 'stamp.json');
    expect(f.isFresh(dir, stamp)).toBe(false); // never built
    f.writeStamp(dir, stamp, ['a.ts'], ['out']);
    expect(f.isFresh(dir, stamp)).toBe(true);
    writeFileSync(path.join(dir, 'a.ts'), 'two'); // same size, other content
    expect(f.isFresh(dir, stamp)).toBe(false);
    writeFileSync(path.join(dir, 'a.ts'), 'one');
    expect(f.isFresh(dir, stamp)).toBe(true);
    rmSync(path.join(dir, 'out', 'a.js')); // an output deleted
    expect(f.isFresh(dir, stamp)).toBe(false);
  });

  test('swapIn replaces only changed files, adds new ones, removes stale ones, and leaves unchanged files untouched', async () => {
    const f = fresh;
    const target = path.join(dir, 'target');
    const staging = path.join(dir, 'staging');
    mkdirSync(target);
    mkdirSync(path.join(staging, 'sub'), { recursive: true });
    writeFileSync(path.join(target, 'same.js'), 'same');
    writeFileSync(path.join(target, 'changed.js'), 'old');
    writeFileSync(path.join(target, 'stale.js'), 'gone');
    const before = statSync(path.join(target, 'same.js'));
    writeFileSync(path.join(staging, 'same.js'), 'same');
    writeFileSync(path.join(staging, 'changed.js'), 'new');
    writeFileSync(path.join(staging, 'sub', 'added.js'), 'added');
    expect(f.swapIn(staging, target).sort()).toEqual(['changed.js', 'sub/added.js']);
    expect(readFileSync(path.join(target, 'changed.js'), 'utf8')).toBe('new');
    expect(readFileSync(path.join(target, 'sub', 'added.js'), 'utf8')).toBe('added');
    expect(existsSync(path.join(target, 'stale.js'))).toBe(false);
    expect(statSync(path.join(target, 'same.js')).ino).toBe(before.ino);
    expect(statSync(path.join(target, 'same.js')).mtimeMs).toBe(before.mtimeMs);
    expect(existsSync(staging)).toBe(false);
  });

  test('withLock runs one holder at a time and takes over a lock whose process is gone', async () => {
    const f = fresh;
    const lock = path.join(dir, 'x.lock');
    const order: string[] = [];
    const hold = (name: string) =>
      f.withLock(lock, async () => {
        order.push(`${name}+`);
        await new Promise((r) => setTimeout(r, 300));
        order.push(`${name}-`);
      });
    await Promise.all([hold('a'), hold('b')]);
    expect(order.join(' ')).toMatch(/^(a\+ a- b\+ b-|b\+ b- a\+ a-)$/);
    writeFileSync(lock, '999999999'); // no such process
    await expect(f.withLock(lock, async () => 'taken over', 2000)).resolves.toBe('taken over');
    expect(existsSync(lock)).toBe(false);
  });
});

describe('npm run build', () => {
  test('a second build with nothing changed does nothing; two forced builds at once both succeed, outputs intact', async () => {
    const build = path.join(ROOT, 'extension', 'build.mjs');
    execFileSync(process.execPath, [build], { cwd: ROOT });
    const again = execFileSync(process.execPath, [build], { cwd: ROOT, encoding: 'utf8' });
    expect(again).toContain('up to date');
    const [a, b] = await Promise.all([
      run(process.execPath, [build, '--force'], { cwd: ROOT }),
      run(process.execPath, [build, '--force'], { cwd: ROOT }),
    ]);
    // One built; the other waited for the lock, then rebuilt into its own staging folder and found
    // every output byte-identical (nothing renamed over the first one's files).
    expect([a.stdout, b.stdout].filter((s) => s.includes('outputs unchanged')).length).toBeGreaterThanOrEqual(
      1,
    );
    const ext = JSON.parse(readFileSync(path.join(ROOT, 'extension', 'package.json'), 'utf8'));
    const descriptor = path.join(ROOT, 'extension/dist/plugins', ext.name, ext.version, 'descriptor.json');
    expect(JSON.parse(readFileSync(descriptor, 'utf8')).packageName).toBe(ext.name);
    expect(existsSync(path.join(ROOT, '.cache', 'locks', 'build.lock'))).toBe(false);
  }, 180_000);
});

describe('system packages preflight', () => {
  test('names each missing Debian package, what needs it and the apt-get line, and fails', () => {
    // A dpkg-query that knows only chromium: everything else is missing.
    const bin = path.join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(
      path.join(bin, 'dpkg-query'),
      '#!/bin/sh\n[ "$1" = --version ] && exit 0\n' +
        'for a; do case "$a" in chromium) printf "install ok installed"; exit 0;; esac; done\nexit 1\n',
    );
    chmodSync(path.join(bin, 'dpkg-query'), 0o755);
    const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'system-packages.mjs'), '--check'], {
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
      encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/orthanc\s+a real PACS/);
    expect(r.stderr).toMatch(/dicom3tools\s+dciodvfy/);
    expect(r.stderr).not.toMatch(/^\s+chromium\s/m);
    expect(r.stderr).toContain(
      'apt-get install -y --no-install-recommends mricron-data orthanc orthanc-dicomweb',
    );
  });

  test('passes quietly when dpkg reports every package installed', () => {
    const bin = path.join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(path.join(bin, 'dpkg-query'), '#!/bin/sh\nprintf "install ok installed"\n');
    chmodSync(path.join(bin, 'dpkg-query'), 0o755);
    const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'system-packages.mjs'), '--check'], {
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    expect(r.stderr.replace(/^system: Node .*\n/m, '')).toBe('');
  });
});
