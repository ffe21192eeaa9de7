/**
 * A private Orthanc (Debian orthanc + orthanc-dicomweb) for integration tests: its own free
 * loopback port, its own temporary storage, no DICOM listener, optional HTTP basic auth. It is
 * stopped by killing the one process started here. If it cannot start, the test fails loudly.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export const ORTHANC_BINARY = '/usr/sbin/Orthanc';
export const DICOMWEB_PLUGIN = '/usr/share/orthanc/plugins/libOrthancDicomWeb.so';

export interface Orthanc {
  /** e.g. http://127.0.0.1:41234 */
  readonly url: string;
  /** DICOMweb root, e.g. http://127.0.0.1:41234/dicom-web */
  readonly dicomWeb: string;
  /** Authorization header value when basic auth is on. */
  readonly authorization?: string;
  /** What Orthanc printed so far (for failure messages). */
  log(): string;
  stop(): Promise<void>;
}

export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

export async function startOrthanc(options: { users?: Record<string, string> } = {}): Promise<Orthanc> {
  for (const required of [ORTHANC_BINARY, DICOMWEB_PLUGIN]) {
    if (!fs.existsSync(required)) {
      throw new Error(`${required} not found: install the Debian packages orthanc and orthanc-dicomweb`);
    }
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orthanc-test-'));
  const port = await freeLoopbackPort();
  const users = options.users ?? {};
  const authEnabled = Object.keys(users).length > 0;
  const config = {
    Name: 'medsam2-test',
    StorageDirectory: path.join(dir, 'storage'),
    IndexDirectory: path.join(dir, 'storage'),
    HttpPort: port,
    DicomServerEnabled: false,
    RemoteAccessAllowed: false,
    AuthenticationEnabled: authEnabled,
    RegisteredUsers: users,
    Plugins: [DICOMWEB_PLUGIN],
    DicomWeb: { Enable: true, Root: '/dicom-web/' },
    SaveJobs: false,
    StorageCompression: false,
  };
  const configPath = path.join(dir, 'orthanc.json');
  fs.writeFileSync(configPath, JSON.stringify(config, null, 2));
  const child = spawn(ORTHANC_BINARY, [configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  let spawnError: Error | undefined;
  child.on('error', (e) => (spawnError = e));

  const url = `http://127.0.0.1:${port}`;
  const [user, password] = Object.entries(users)[0] ?? [];
  const authorization = authEnabled
    ? `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`
    : undefined;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      if (!(await waitForExit(child, 10000))) {
        child.kill('SIGKILL');
        await waitForExit(child, 5000);
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 20000;
  for (;;) {
    if (spawnError || child.exitCode !== null) {
      await stop();
      throw new Error(
        `Orthanc did not start (${spawnError?.message ?? `exit code ${child.exitCode}`}):\n${output}`,
      );
    }
    try {
      const response = await fetch(`${url}/system`, {
        headers: authorization ? { Authorization: authorization } : {},
      });
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`Orthanc did not answer GET /system on ${url} within 20 s:\n${output}`);
    }
    await sleep(100);
  }
  return { url, dicomWeb: `${url}/dicom-web`, authorization, log: () => output, stop };
}
