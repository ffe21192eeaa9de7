/**
 * Extension configuration, read from `window.config.medsam2` in app-config.js (a URL-loaded
 * extension gets no per-extension configuration from OHIF), or from the configuration OHIF passes
 * when the extension is registered as `[extension, configuration]`.
 */
import type { BackendName } from '../engine/runtime/backend';
import { besideModule } from './module-url';

export interface Medsam2Config {
  /** Folder URL holding manifest.json and the four graphs (absolute, or relative to the page). */
  readonly modelUrl: string;
  /** Backends to try, in order (default WebGPU then wasm). */
  readonly backends?: readonly BackendName[];
  /** Worker bundle URL (default: medsam2-worker.js beside the extension bundle). */
  readonly workerUrl: string;
  /** Where onnxruntime-web's wasm files are hosted (default: ort/ beside the worker). */
  readonly ortUrl?: string;
  /** SEG flavour written on export. */
  readonly segFormat: 'binary' | 'labelmap';
  /** Encoder cache budget of the engine worker, in MB (default: BROWSER_ENCODER_CACHE_BYTES). */
  readonly encoderCacheMb?: number;
}

const BACKENDS: readonly BackendName[] = ['webgpu', 'wasm'];
const SEG_FORMATS = ['binary', 'labelmap'] as const;

/** A configuration value the extension cannot use; the message names the key and what it accepts. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * The extension's configuration: `window.config.medsam2` (app-config.js) overridden by the
 * registration configuration; absent keys take their defaults, present keys must be valid.
 */
export function readConfig(
  appConfig: Record<string, unknown> | undefined,
  configuration: Record<string, unknown> | undefined,
  pageUrl: string,
): Medsam2Config {
  const fromApp = appConfig?.medsam2 ?? {};
  if (typeof fromApp !== 'object' || fromApp === null || Array.isArray(fromApp))
    throw new ConfigError(`medsam2: must be an object, got ${JSON.stringify(fromApp)}`);
  const merged: Record<string, unknown> = { ...fromApp, ...configuration };
  const url = (key: string, fallback: string | undefined): string | undefined => {
    const value = merged[key];
    if (value === undefined) return fallback === undefined ? undefined : new URL(fallback, pageUrl).href;
    if (typeof value !== 'string' || value.trim() === '')
      throw new ConfigError(`medsam2.${key}: must be a non-empty URL string, got ${JSON.stringify(value)}`);
    try {
      return new URL(value, pageUrl).href;
    } catch {
      throw new ConfigError(`medsam2.${key}: "${value}" is not a URL`);
    }
  };
  return {
    modelUrl: url('modelUrl', besideModule('models/test-tiny/')) as string,
    backends: readBackends(merged.backends),
    workerUrl: url('workerUrl', besideModule('medsam2-worker.js')) as string,
    ortUrl: url('ortUrl', undefined),
    segFormat: readSegFormat(merged.segFormat),
    encoderCacheMb: readEncoderCacheMb(merged.encoderCacheMb),
  };
}

function readBackends(value: unknown): readonly BackendName[] | undefined {
  if (value === undefined) return undefined;
  const names: unknown[] = Array.isArray(value) ? value : [];
  if (names.length === 0 || names.some((b) => !BACKENDS.includes(b as BackendName)))
    throw new ConfigError(
      `medsam2.backends: must be a non-empty list of ${BACKENDS.map((b) => `"${b}"`).join(', ')}, got ${JSON.stringify(value)}`,
    );
  return [...new Set(names as BackendName[])];
}

/** Below this, a propagation re-encodes slices it just left; above, one tab takes the machine. */
export const ENCODER_CACHE_MB_RANGE = [32, 8192] as const;

function readEncoderCacheMb(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const [min, max] = ENCODER_CACHE_MB_RANGE;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    throw new ConfigError(
      `medsam2.encoderCacheMb: must be a whole number of MB from ${min} to ${max}, got ${JSON.stringify(value)}`,
    );
  return value;
}

function readSegFormat(value: unknown): Medsam2Config['segFormat'] {
  if (value === undefined) return 'binary';
  if (!SEG_FORMATS.includes(value as Medsam2Config['segFormat']))
    throw new ConfigError(`medsam2.segFormat: must be "binary" or "labelmap", got ${JSON.stringify(value)}`);
  return value as Medsam2Config['segFormat'];
}
