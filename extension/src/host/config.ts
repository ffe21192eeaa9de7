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
}

const BACKENDS: readonly BackendName[] = ['webgpu', 'wasm'];

export function readConfig(
  appConfig: Record<string, unknown> | undefined,
  configuration: Record<string, unknown> | undefined,
  pageUrl: string,
): Medsam2Config {
  const fromApp = (appConfig?.medsam2 ?? {}) as Record<string, unknown>;
  const merged: Record<string, unknown> = { ...fromApp, ...configuration };
  const text = (key: string): string | undefined =>
    typeof merged[key] === 'string' && merged[key] ? (merged[key] as string) : undefined;
  const backends = Array.isArray(merged.backends)
    ? (merged.backends as unknown[]).filter((b): b is BackendName => BACKENDS.includes(b as BackendName))
    : undefined;
  return {
    modelUrl: new URL(text('modelUrl') ?? besideModule('models/test-tiny/'), pageUrl).href,
    backends: backends && backends.length ? backends : undefined,
    workerUrl: new URL(text('workerUrl') ?? besideModule('medsam2-worker.js'), pageUrl).href,
    ortUrl: text('ortUrl') ? new URL(text('ortUrl') as string, pageUrl).href : undefined,
    segFormat: merged.segFormat === 'labelmap' ? 'labelmap' : 'binary',
  };
}
