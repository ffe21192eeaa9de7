/**
 * `npm start`: the prebuilt OHIF 3.13 viewer with the MedSAM-2 mode on localhost.
 *
 *   npm start                          DICOMweb from a folder store (.cache/dicom-store, seeded with
 *                                      the sample MR series on first run), test model
 *   npm start -- --store <dir>         DICOMweb from that folder of Part-10 files instead (or MEDSAM2_STORE)
 *   npm start -- --pacs <url>          proxy /dicom-web to that DICOMweb root instead (or MEDSAM2_PACS);
 *                                      its user:password from MEDSAM2_PACS_CREDENTIALS or --pacs-credentials <file>
 *   npm start -- --orthanc             a private Orthanc (Debian orthanc + orthanc-dicomweb) with the sample
 *   npm start -- --model <dir|url>     an exported model folder (served here) or a folder URL
 *   npm start -- --port 3000 --host 0.0.0.0 --allow-host viewer.example --backends wasm
 *   npm start -- --max-upload 2G       largest STOW-RS body (default 1G)
 *   MEDSAM2_OHIF_VERSION=3.14.0-beta.6 npm start   another tested OHIF release (package.json ohif.tested)
 */
import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { ensureOhifDist, ohifVersionFromEnv } from './ohif-app';
import { builtPlugins } from './plugins';
import { FolderStore } from './folder-store';
import { type RunningOrthanc, startOrthanc } from './orthanc';
import { SAMPLE_SERIES_NOTE, loadSampleStudy, seedSampleStore } from './sample-data';
import { DEFAULT_MAX_UPLOAD_BYTES, startServer } from './server';
import { pacsUrlWithoutCredentials, readPacsCredentials } from './pacs-credentials';

const ROOT = resolve(__dirname, '..', '..');

interface Args {
  port: number;
  /** False when the port is the default: then the next free one is taken if it is busy. */
  portGiven: boolean;
  host: string;
  pacs?: string;
  /** Where the PACS URL came from (for messages). */
  pacsSource: string;
  pacsCredentials?: string;
  store?: string;
  allowHosts: string[];
  maxUploadBytes: number;
  orthanc: boolean;
  model: string;
  backends?: string[];
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = {
    port: Number(process.env.PORT ?? 3000),
    portGiven: process.env.PORT !== undefined,
    host: '127.0.0.1',
    pacs: process.env.MEDSAM2_PACS || undefined,
    pacsSource: 'MEDSAM2_PACS',
    allowHosts: [],
    maxUploadBytes: DEFAULT_MAX_UPLOAD_BYTES,
    store: process.env.MEDSAM2_STORE || undefined,
    orthanc: false,
    model: process.env.MEDSAM2_MODEL || resolve(ROOT, 'models', 'test-tiny'),
  };
  for (let i = 0; i < argv.length; i++) {
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${argv[i - 1]} needs a value`);
      return v;
    };
    switch (argv[i]) {
      case '--port':
        args.port = Number(value());
        args.portGiven = true;
        break;
      case '--host':
        args.host = value();
        break;
      case '--pacs':
        args.pacs = value();
        args.pacsSource = '--pacs';
        break;
      case '--pacs-credentials':
        args.pacsCredentials = value();
        break;
      case '--allow-host':
        args.allowHosts.push(...value().split(','));
        break;
      case '--max-upload':
        args.maxUploadBytes = parseByteSize(value(), '--max-upload');
        break;
      case '--store':
        args.store = value();
        break;
      case '--orthanc':
        args.orthanc = true;
        break;
      case '--model':
        args.model = value();
        break;
      case '--backends':
        args.backends = value().split(',');
        break;
      case '--help':
      case '-h':
        console.log(
          'usage: npm start -- [--store <dir> | --pacs <DICOMweb root> [--pacs-credentials <file>] | --orthanc] [--model <dir|url>] [--port 3000] [--host 127.0.0.1] [--allow-host <name>] [--max-upload 1G] [--backends webgpu,wasm]',
        );
        process.exit(0);
        break;
      default:
        throw new Error(`unknown argument ${argv[i]} (try --help)`);
    }
  }
  if (!Number.isInteger(args.port) || args.port < 0) throw new Error(`--port must be a port number`);
  if ([args.pacs, args.store, args.orthanc || undefined].filter(Boolean).length > 1)
    throw new Error('choose one of --store, --pacs and --orthanc');
  if (args.pacs) pacsUrlWithoutCredentials(args.pacs, args.pacsSource);
  return args;
}

/** "500M", "2G", "1048576" → bytes (K/M/G are powers of 1024). */
function parseByteSize(value: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmg]?)i?b?$/i.exec(value.trim());
  const scale = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30 }[(m?.[2] ?? '').toLowerCase()];
  const bytes = m && scale ? Math.floor(Number(m[1]) * scale) : NaN;
  if (!(bytes > 0)) throw new Error(`${flag} must be a size such as 500M or 2G, not "${value}"`);
  return bytes;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const ohifDist = ensureOhifDist(resolve(ROOT, '.cache', 'ohif'), ohifVersionFromEnv());
  const plugins = builtPlugins(ROOT);

  const remoteModel = /^https?:\/\//.test(args.model);
  const modelDir = remoteModel ? undefined : resolve(args.model);
  if (modelDir && !existsSync(resolve(modelDir, 'manifest.json')))
    throw new Error(`${modelDir}/manifest.json not found (npm run models:test makes the test model)`);

  let orthanc: RunningOrthanc | undefined;
  let store: FolderStore | undefined;
  let pacsUrl = args.pacs;
  const pacsCredentials = args.pacs
    ? readPacsCredentials(process.env, args.pacsCredentials, (m) => console.warn(`pacs: ${m}`))
    : undefined;
  if (pacsUrl) {
    const url = new URL(pacsUrl);
    console.log(
      `pacs: proxying DICOMweb requests on /dicom-web to ${url.origin}${url.pathname}${pacsCredentials ? ' (with Basic auth)' : ''}`,
    );
  } else if (args.orthanc) {
    orthanc = await startOrthanc();
    await loadSampleStudy(orthanc);
    pacsUrl = orthanc.dicomWebUrl;
    console.log(`pacs: private Orthanc on ${orthanc.url} (${SAMPLE_SERIES_NOTE})`);
  } else {
    const dir = resolve(args.store ?? resolve(ROOT, '.cache', 'dicom-store'));
    store = await FolderStore.open(dir);
    // Only the default folder is seeded; a folder given with --store is served as it is.
    if (!args.store && store.instanceCount === 0) {
      seedSampleStore(store);
      console.log(`pacs: seeded ${dir} with the ${SAMPLE_SERIES_NOTE}`);
    }
    for (const s of store.skipped) console.log(`pacs: skipped ${s.path}: ${s.reason}`);
    console.log(
      `pacs: folder store ${dir} (${store.studies.length} studies, ${store.instanceCount} instances; SEGs exported in the viewer are stored here)`,
    );
  }

  const serve = (port: number) =>
    startServer({
      ohifDist,
      plugins,
      modelDir,
      modelName: modelDir ? basename(modelDir) : undefined,
      modelUrl: remoteModel ? args.model : undefined,
      pacsUrl,
      pacsCredentials,
      store,
      backends: args.backends,
      port,
      host: args.host,
      allowedHosts: args.allowHosts,
      maxUploadBytes: args.maxUploadBytes,
    });
  // A second `npm start` beside a running one takes the next free port (unless a port was asked for).
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  for (let port = args.port; !server; port++) {
    try {
      server = await serve(port);
    } catch (e) {
      const busy = (e as NodeJS.ErrnoException).code === 'EADDRINUSE';
      if (!busy || args.portGiven || port >= args.port + 20) throw e;
      console.log(`viewer: port ${port} is in use, trying ${port + 1}`);
    }
  }
  if (!['127.0.0.1', 'localhost', '::1'].includes(args.host))
    console.warn(
      `server: listening on ${args.host}: other machines can reach it with no login; requests must name localhost${args.allowHosts.length ? ` or ${args.allowHosts.join(', ')}` : ''} in their Host header (--allow-host <name> for more)`,
    );
  console.log(`model: ${remoteModel ? args.model : modelDir}`);
  console.log(`viewer: ${server.url}/  (open a study, then choose the MedSAM-2 mode)`);

  const shutdown = async () => {
    await server.close();
    await orthanc?.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());
}

main().catch((e: unknown) => {
  console.error(`npm start: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
