/**
 * Debian's Chromium as the e2e tests and the benchmark launch it (playwright-core, never a test
 * tool's own browser download): the flags that work as root on a machine without a GPU, WebGPU
 * through Chromium's software adapter when asked.
 */
import { existsSync } from 'node:fs';

export const CHROMIUM = '/usr/bin/chromium';

export interface ChromiumOptions {
  /** Add `--enable-unsafe-webgpu` (SwiftShader gives a software adapter here). */
  readonly webgpu?: boolean;
  /** Unrounded performance.memory figures, refreshed on every read (the benchmark). */
  readonly preciseMemory?: boolean;
}

export function chromiumArgs(options: ChromiumOptions = {}): string[] {
  const args = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ];
  if (options.preciseMemory) args.push('--enable-precise-memory-info');
  if (options.webgpu) args.push('--enable-unsafe-webgpu');
  return args;
}

/** Fails loudly when the browser is missing: nothing that needs it may pass without it. */
export function requireChromium(): string {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: install Debian package chromium`);
  return CHROMIUM;
}
