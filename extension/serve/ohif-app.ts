/**
 * The prebuilt OHIF viewer: `npm pack @ohif/app@<version>` (its dist/ is a complete static build),
 * extracted once into a cache folder. OHIF is never installed or built here.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import { ohif } from '../../package.json';

/** The OHIF release `npm start` serves by default (package.json ohif.default). */
export const OHIF_VERSION: string = ohif.default;
/** The OHIF releases the e2e suite runs against (package.json ohif.tested; the peer ranges cover them). */
export const TESTED_OHIF_VERSIONS: readonly string[] = ohif.tested;

/** The OHIF version asked for with MEDSAM2_OHIF_VERSION (one of the tested ones), else the default. */
export function ohifVersionFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const v = env.MEDSAM2_OHIF_VERSION?.trim();
  if (!v) return OHIF_VERSION;
  if (!TESTED_OHIF_VERSIONS.includes(v))
    throw new Error(
      `MEDSAM2_OHIF_VERSION=${v}: not a tested OHIF version (${TESTED_OHIF_VERSIONS.join(', ')})`,
    );
  return v;
}

/**
 * Returns the folder holding OHIF's index.html, fetching and extracting it when missing. Safe for
 * two processes at once: each packs and extracts into its own staging folder and renames it into
 * place; whoever comes second keeps the first one's copy (never deleting a folder being served).
 */
export function ensureOhifDist(cacheDir: string, version = OHIF_VERSION, log = console.log): string {
  const target = join(cacheDir, `app-${version}`);
  const dist = join(target, 'dist');
  if (existsSync(join(dist, 'index.html'))) return dist;
  mkdirSync(cacheDir, { recursive: true });
  log(`ohif: fetching @ohif/app@${version} with npm pack (about 50 MB, once)…`);
  const staging = join(cacheDir, `staging-${version}-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const out = execFileSync(
      npm,
      ['pack', `@ohif/app@${version}`, '--pack-destination', staging, '--silent'],
      {
        encoding: 'utf8',
      },
    );
    const tarball = join(staging, out.trim().split('\n').pop() as string);
    execFileSync('tar', ['-xzf', tarball, '-C', staging]);
    const extracted = join(staging, 'package');
    if (!existsSync(join(extracted, 'dist', 'index.html')))
      throw new Error(
        `@ohif/app@${version}: the package has no dist/index.html (found ${readdirSync(extracted).join(', ')})`,
      );
    if (!existsSync(join(dist, 'index.html'))) {
      // A folder left by an interrupted run (no index.html) is replaced; a complete one is kept.
      rmSync(target, { recursive: true, force: true });
      try {
        renameSync(extracted, target);
      } catch (e) {
        if (!existsSync(join(dist, 'index.html'))) throw e;
      }
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  log(`ohif: ${dist}`);
  return dist;
}
