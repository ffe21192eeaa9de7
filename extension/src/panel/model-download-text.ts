/**
 * What the panel says about the start-up download: the model's graphs and onnxruntime's wasm
 * binary counted together, and how much of it came from the browser's cache (Cache Storage) rather
 * than the network, while loading and once the model is ready.
 */
import { formatBytes } from './dom';

const mb = (n: number): string => (n / 1024 / 1024).toFixed(1);

/** Up to this much downloaded still reads "cached": the manifest is fetched on every visit. */
const MANIFEST_ALLOWANCE = 64 * 1024;

/** "Loading model and runtime: 12.3 / 76.3 MB", "… from cache: …", "… (30.0 MB from cache)". */
export function loadingText(loaded: number, total: number | undefined, cached: number | undefined): string {
  const amount = total ? `${mb(loaded)} / ${mb(total)} MB` : `${mb(loaded)} MB`;
  if (!cached) return `Loading model and runtime: ${amount}`;
  if (loaded - cached <= MANIFEST_ALLOWANCE) return `Loading model and runtime from cache: ${amount}`;
  return `Loading model and runtime: ${amount} (${mb(cached)} MB from cache)`;
}

/** After the load: "76.3 MB (cached)", "76.3 MB (30.0 MB cached)" or "76.3 MB". */
export function loadedSizeText(total: number, cached: number | undefined): string {
  if (!cached) return formatBytes(total);
  if (total - cached <= MANIFEST_ALLOWANCE) return `${formatBytes(total)} (cached)`;
  return `${formatBytes(total)} (${formatBytes(cached)} cached)`;
}
