// The Debian 12 packages the tests run for real (no mocks), and the check that they are installed.
//   node scripts/system-packages.mjs --check     lists what is missing and how to install it; exit 1
//   node scripts/system-packages.mjs --install   installs what is missing with apt-get when run as
//                                                root; otherwise the same as --check
// Also says when Node is older than package.json's `engines` asks (a warning, not a failure).
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import console from 'node:console';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

/** Package → what needs it. Keep in sync with README.md ("Tests"). */
export const DEBIAN_PACKAGES = {
  'mricron-data': 'real MRI template + atlas (NIfTI reader, evaluation, conversion tests)',
  orthanc: 'a real PACS for the DICOMweb, CLI and end-to-end tests',
  'orthanc-dicomweb': "Orthanc's DICOMweb plugin",
  dicom3tools: 'dciodvfy, validates our SEGs',
  'pixelmed-apps': "PixelMed's SEG validator (pulls in a Java runtime)",
  'python3-pydicom': 'real DICOM files made by others; reference pixel decoding',
  'python3-numpy': 'reference metrics and the export tooling',
  'python3-scipy': 'reference metrics (HD95, surface distances)',
  'python3-torch': 'export tooling: PyTorch SAM2 modules → ONNX, parity tests',
  'python3-onnx': 'export tooling: ONNX graph checks',
  chromium: "Debian's Chromium for the end-to-end tests and the browser benchmark",
  dcmtk: 'dcmdump, an independent DICOM parser for the SEG tests',
};

/** The packages dpkg does not report as installed; undefined where there is no dpkg (not Debian). */
export function missingPackages(names = Object.keys(DEBIAN_PACKAGES)) {
  const probe = spawnSync('dpkg-query', ['--version'], { stdio: 'ignore' });
  if (probe.error || probe.status !== 0) return undefined;
  return names.filter((p) => {
    const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', p], { encoding: 'utf8' });
    return r.status !== 0 || !r.stdout.includes('install ok installed');
  });
}

export const installCommand = (missing) =>
  `apt-get update && apt-get install -y --no-install-recommends ${missing.join(' ')}`;

function nodeWarning() {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const wanted = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')).engines?.node ?? '';
  const m = /^>=\s*(\d+)\.(\d+)/.exec(wanted);
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (m && (major < Number(m[1]) || (major === Number(m[1]) && minor < Number(m[2]))))
    console.warn(
      `system: Node ${process.versions.node} is older than package.json's engines (node ${wanted}); ` +
        'see README.md "On a fresh machine"',
    );
}

function main() {
  const install = process.argv.includes('--install');
  nodeWarning();
  const missing = missingPackages();
  if (missing === undefined) {
    console.warn(
      'system: no dpkg here (not Debian?): cannot check the system packages the tests need: ' +
        Object.keys(DEBIAN_PACKAGES).join(', '),
    );
    return;
  }
  if (missing.length === 0) return;
  const list = missing.map((p) => `  ${p.padEnd(18)} ${DEBIAN_PACKAGES[p]}`).join('\n');
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (install && isRoot) {
    console.log(`system: installing the Debian packages the tests need:\n${list}`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['update', '-q'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...missing], {
      stdio: 'inherit',
      env,
    });
    const still = missingPackages(missing) ?? [];
    if (still.length) throw new Error(`apt-get did not install: ${still.join(', ')}`);
    return;
  }
  console.error(
    `system: these Debian packages are missing, and the tests need them:\n${list}\n` +
      `Install them as root:\n  sudo sh -c '${installCommand(missing)}'\n` +
      (install ? '' : '(or run the tests as root: npm run test:all installs them)\n'),
  );
  process.exit(1);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main();
  } catch (e) {
    console.error(`system: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
}
