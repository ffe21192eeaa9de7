/**
 * A private Orthanc (Debian `orthanc` + `orthanc-dicomweb`) on a free loopback port with its own
 * storage folder: the PACS behind `npm start` and the e2e tests. Never touches another Orthanc.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ORTHANC_BINARY = '/usr/sbin/Orthanc';
export const DICOMWEB_PLUGIN = '/usr/share/orthanc/plugins/libOrthancDicomWeb.so';

export interface OrthancOptions {
  /** Lua script installed in Orthanc (e.g. a ReceivedInstanceFilter that refuses instances). */
  readonly lua?: string;
  /** Transfer syntax instances are converted to on arrival (default Explicit VR Little Endian). */
  readonly ingestTranscoding?: string | null;
  readonly binary?: string;
  /** Turns authentication on with these users (name → password); this module logs in as the first. */
  readonly users?: Readonly<Record<string, string>>;
}

export interface RunningOrthanc {
  /** REST root, e.g. http://127.0.0.1:40123 */
  readonly url: string;
  /** DICOMweb root, e.g. http://127.0.0.1:40123/dicom-web */
  readonly dicomWebUrl: string;
  readonly port: number;
  upload(files: readonly Uint8Array[]): Promise<void>;
  /** Removes attributes from every instance of every study, keeping all UIDs. */
  removeTags(keywords: readonly string[]): Promise<void>;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startOrthanc(options: OrthancOptions = {}): Promise<RunningOrthanc> {
  const binary = options.binary ?? ORTHANC_BINARY;
  if (!existsSync(binary))
    throw new Error(
      `${binary} not found: install Debian packages orthanc and orthanc-dicomweb, or pass --pacs <DICOMweb root>`,
    );
  if (!existsSync(DICOMWEB_PLUGIN))
    throw new Error(`${DICOMWEB_PLUGIN} not found: install Debian package orthanc-dicomweb`);
  const dir = mkdtempSync(join(tmpdir(), 'medsam2-orthanc-'));
  const port = await freePort();
  const config: Record<string, unknown> = {
    Name: 'MEDSAM2',
    StorageDirectory: join(dir, 'db'),
    IndexDirectory: join(dir, 'db'),
    HttpPort: port,
    DicomServerEnabled: false,
    RemoteAccessAllowed: false,
    AuthenticationEnabled: options.users !== undefined,
    ...(options.users ? { RegisteredUsers: options.users } : {}),
    HttpCompressionEnabled: false,
    StableAge: 1,
    // Lets a modified copy replace its original (same UIDs), see removeTags().
    OverwriteInstances: true,
    Plugins: [DICOMWEB_PLUGIN],
    DicomWeb: { Enable: true, Root: '/dicom-web/' },
  };
  if (options.ingestTranscoding !== null)
    config.IngestTranscoding = options.ingestTranscoding ?? '1.2.840.10008.1.2.1';
  if (options.lua) {
    writeFileSync(join(dir, 'script.lua'), options.lua);
    config.LuaScripts = [join(dir, 'script.lua')];
  }
  writeFileSync(join(dir, 'orthanc.json'), JSON.stringify(config, null, 2));
  const child: ChildProcess = spawn(binary, [join(dir, 'orthanc.json')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  const [login] = Object.entries(options.users ?? {});
  const auth: Record<string, string> = login
    ? { Authorization: `Basic ${Buffer.from(`${login[0]}:${login[1]}`).toString('base64')}` }
    : {};
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  // If this process dies without running stop() (killed, crashed), never leave our Orthanc behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 20000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(
        `Orthanc exited with code ${child.exitCode}: ${stderr.trim().split('\n').slice(-5).join('\n')}`,
      );
    }
    try {
      const r = await fetch(`${url}/system`, { headers: auth });
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`Orthanc did not answer on ${url} within 20 s: ${stderr.slice(-1000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    url,
    dicomWebUrl: `${url}/dicom-web`,
    port,
    async upload(files) {
      for (const [i, bytes] of files.entries()) {
        const r = await fetch(`${url}/instances`, {
          method: 'POST',
          body: Buffer.from(bytes),
          headers: auth,
        });
        if (!r.ok) throw new Error(`Orthanc refused file ${i + 1}: HTTP ${r.status} ${await r.text()}`);
      }
    },
    async removeTags(keywords) {
      const studies = (await (await fetch(`${url}/studies`, { headers: auth })).json()) as string[];
      for (const id of studies) {
        const r = await fetch(`${url}/studies/${id}/modify`, {
          method: 'POST',
          headers: auth,
          body: JSON.stringify({
            Remove: keywords,
            Keep: ['StudyInstanceUID', 'SeriesInstanceUID', 'SOPInstanceUID'],
            Force: true,
          }),
        });
        if (!r.ok)
          throw new Error(`Orthanc could not modify study ${id}: HTTP ${r.status} ${await r.text()}`);
      }
    },
    stop,
  };
}
