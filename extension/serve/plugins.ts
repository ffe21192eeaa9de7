/**
 * The built OHIF packages as the viewer server hosts them: each package's runtime plugin folder
 * (extension/dist/plugins/<name>/<version>/, mode/dist/plugins/…, written by extension/build.mjs)
 * under the URL path OHIF 3.14 documents for runtime plugins, /plugins/<name>/<version>/.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export const PLUGINS_PATH = '/plugins/';

export interface BuiltPlugin {
  readonly name: string;
  readonly version: string;
  /** URL of the ES module entry, e.g. /plugins/medsam2-ohif-extension/0.1.0/medsam2-extension.js */
  readonly url: string;
  /** The folder holding <name>/<version>/ (the package's dist/plugins). */
  readonly root: string;
}

export interface BuiltPlugins {
  readonly extension: BuiltPlugin;
  readonly mode: BuiltPlugin;
}

function plugin(repoRoot: string, dir: string, file: string): BuiltPlugin {
  const pkg = JSON.parse(readFileSync(resolve(repoRoot, dir, 'package.json'), 'utf8')) as {
    name: string;
    version: string;
  };
  const root = resolve(repoRoot, dir, 'dist', 'plugins');
  const entry = resolve(root, pkg.name, pkg.version, file);
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run npm run build first`);
  return {
    name: pkg.name,
    version: pkg.version,
    url: `${PLUGINS_PATH}${pkg.name}/${pkg.version}/${file}`,
    root,
  };
}

/** The extension and mode built in this checkout (throws, naming the file, when not built). */
export function builtPlugins(repoRoot: string): BuiltPlugins {
  return {
    extension: plugin(repoRoot, 'extension', 'medsam2-extension.js'),
    mode: plugin(repoRoot, 'mode', 'medsam2-mode.js'),
  };
}
