// `npm run test:e2e [-- [--ohif <version>] [jest args]]`: the end-to-end suite against every OHIF
// release package.json lists as tested (ohif.tested), one after the other, or against the one named.
// Each run prints its wall time; the exit status is the first failure's.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import console from 'node:console';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { ohif } = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8'));
const args = process.argv.slice(2);
const at = args.indexOf('--ohif');
let versions = ohif.tested;
if (at >= 0) {
  const v = args[at + 1];
  if (!ohif.tested.includes(v)) {
    console.error(`e2e: --ohif ${v ?? '(missing)'}: not a tested OHIF version (${ohif.tested.join(', ')})`);
    process.exit(2);
  }
  versions = [v];
  args.splice(at, 2);
}

const jest = resolve(root, 'node_modules', 'jest', 'bin', 'jest.js');
const results = [];
for (const version of versions) {
  console.log(`e2e: OHIF ${version}`);
  const start = Date.now();
  const r = spawnSync(process.execPath, [jest, '-c', 'test/e2e/jest.config.js', ...args], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, MEDSAM2_OHIF_VERSION: version },
  });
  results.push({ version, status: r.status ?? 1, seconds: (Date.now() - start) / 1000 });
}
for (const r of results)
  console.log(`e2e: OHIF ${r.version}: ${r.status === 0 ? 'passed' : 'FAILED'} in ${r.seconds.toFixed(0)} s`);
process.exit(results.find((r) => r.status !== 0)?.status ?? 0);
