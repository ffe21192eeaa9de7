/**
 * The URL this bundle was loaded from. build.mjs puts `var __medsam2ModuleUrl = import.meta.url;`
 * at the top of every ES module bundle (the type-checker compiles this repo as CommonJS, where
 * `import.meta` is not allowed), so files beside the bundle (worker, onnxruntime files) resolve
 * relative to wherever the deployment hosts it.
 */
declare const __medsam2ModuleUrl: string | undefined;

export function moduleUrl(): string {
  if (typeof __medsam2ModuleUrl === 'string') return __medsam2ModuleUrl;
  return globalThis.location?.href ?? 'http://localhost/';
}

/** `relative` resolved against the bundle's own URL. */
export const besideModule = (relative: string): string => new URL(relative, moduleUrl()).href;
