/**
 * The e2e stack: a private Orthanc loaded with the sample MR series, the viewer server (prebuilt
 * OHIF + our bundles + the test model) in front of it, and Debian's Chromium driven by
 * playwright-core. Every request the browser makes is recorded so tests can check where it went.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Browser, type BrowserContext, type Page, chromium } from 'playwright-core';
import { ensureOhifDist, ohifVersionFromEnv } from '../../../extension/serve/ohif-app';
import { type RunningOrthanc, startOrthanc } from '../../../extension/serve/orthanc';
import { builtPlugins } from '../../../extension/serve/plugins';
import { loadSampleStudy } from '../../../extension/serve/sample-data';
import { type RunningServer, startServer } from '../../../extension/serve/server';
import { chromiumArgs, requireChromium } from '../../../extension/src/node/chromium';

export const ROOT = resolve(__dirname, '..', '..', '..');
export const ARTIFACTS = resolve(ROOT, 'test', 'e2e', 'artifacts');
export const SAMPLE_STUDY_UID = '0.0.0.0.2.8811.20010413115754.12432';
/** The OHIF release this run serves (MEDSAM2_OHIF_VERSION, one of the tested ones; default 3.13.2). */
export const OHIF_UNDER_TEST = ohifVersionFromEnv();

export interface StackOptions {
  /** Lua script for Orthanc (e.g. refusing SEG instances). */
  readonly lua?: string;
  /** Model folder the server serves (default: the generated test model, models/test-tiny). */
  readonly modelDir?: string;
  /** Model folder URL given to the extension instead of the served test model. */
  readonly modelUrl?: string;
  /** Content-Security-Policy the server sends (default: the server's own). */
  readonly contentSecurityPolicy?: string;
}

export interface Stack {
  readonly orthanc: RunningOrthanc;
  readonly server: RunningServer;
  stop(): Promise<void>;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const plugins = builtPlugins(ROOT);
  const modelDir = options.modelDir ?? resolve(ROOT, 'models', 'test-tiny');
  if (!existsSync(resolve(modelDir, 'manifest.json')))
    throw new Error(`${modelDir} is missing: run npm run models:test first (npm run test:e2e does)`);
  const ohifDist = ensureOhifDist(resolve(ROOT, '.cache', 'ohif'), OHIF_UNDER_TEST, () => undefined);
  const orthanc = await startOrthanc({ lua: options.lua });
  try {
    await loadSampleStudy(orthanc);
    const server = await startServer({
      ohifDist,
      plugins,
      modelDir,
      modelName: options.modelDir ? 'model' : 'test-tiny',
      modelUrl: options.modelUrl,
      contentSecurityPolicy: options.contentSecurityPolicy,
      pacsUrl: orthanc.dicomWebUrl,
      port: 0,
    });
    return {
      orthanc,
      server,
      async stop() {
        await server.close();
        await orthanc.stop();
      },
    };
  } catch (e) {
    await orthanc.stop();
    throw e;
  }
}

export interface BrowserSession {
  readonly browser: Browser;
  readonly context: BrowserContext;
  readonly page: Page;
  /** Every URL the page and its workers requested. */
  readonly requests: string[];
  /** Uncaught page errors. */
  readonly pageErrors: string[];
  /** Console reports of the Content-Security-Policy refusing something (page or worker). */
  readonly cspViolations: string[];
  close(): Promise<void>;
}

/** Debian's Chromium with the flags that work as root here; WebGPU through SwiftShader if asked. */
export async function launchBrowser(
  options: { webgpu?: boolean; preciseMemory?: boolean } = {},
): Promise<BrowserSession> {
  const args = chromiumArgs({ webgpu: options.webgpu, preciseMemory: options.preciseMemory });
  const browser = await chromium.launch({ executablePath: requireChromium(), args });
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, acceptDownloads: true });
  const requests: string[] = [];
  const pageErrors: string[] = [];
  context.on('request', (r) => requests.push(r.url()));
  const page = await context.newPage();
  const cspViolations: string[] = [];
  const csp = (text: string) => {
    if (/Content Security Policy/i.test(text)) cspViolations.push(text);
  };
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => csp(m.text()));
  page.on('worker', (w) => w.on('console', (m) => csp(m.text())));
  return {
    browser,
    context,
    page,
    requests,
    pageErrors,
    cspViolations,
    close: () => browser.close(),
  };
}

export function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return resolve(ARTIFACTS, name);
}
