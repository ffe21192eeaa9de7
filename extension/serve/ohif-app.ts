/**
 * The prebuilt OHIF viewer: `npm pack @ohif/app@<version>` (its dist/ is a complete static build),
 * extracted once into a cache folder. OHIF is never installed or built here.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export const OHIF_VERSION = '3.13.2';

/** Returns the folder holding OHIF's index.html, fetching and extracting it when missing. */
export function ensureOhifDist(cacheDir: string, version = OHIF_VERSION, log = console.log): string {
  const target = join(cacheDir, `app-${version}`);
  const dist = join(target, 'dist');
  if (existsSync(join(dist, 'index.html'))) return dist;
  mkdirSync(cacheDir, { recursive: true });
  log(`ohif: fetching @ohif/app@${version} with npm pack (about 50 MB, once)…`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const out = execFileSync(
    npm,
    ['pack', `@ohif/app@${version}`, '--pack-destination', cacheDir, '--silent'],
    {
      encoding: 'utf8',
    },
  );
  const tarball = join(cacheDir, out.trim().split('\n').pop() as string);
  const staging = join(cacheDir, `staging-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', staging]);
  rmSync(target, { recursive: true, force: true });
  renameSync(join(staging, 'package'), target);
  rmSync(staging, { recursive: true, force: true });
  rmSync(tarball, { force: true });
  if (!existsSync(join(dist, 'index.html')))
    throw new Error(
      `@ohif/app@${version}: the package has no dist/index.html (found ${readdirSync(target).join(', ')})`,
    );
  log(`ohif: ${dist}`);
  return dist;
}
