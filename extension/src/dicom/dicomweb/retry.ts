/**
 * Bounded retries with exponential backoff for transient DICOMweb failures: HTTP 408, 429, 502,
 * 503, 504 and requests that got no answer at all. Retry-After (seconds) is honoured up to the
 * maximum delay.
 */

export interface RetryPolicy {
  /** Total tries including the first (default 4). */
  readonly attempts?: number;
  /** Delay before the first retry, doubled each time (default 250 ms). */
  readonly baseDelayMs?: number;
  /** Upper bound of one delay (default 4000 ms). */
  readonly maxDelayMs?: number;
  /** Injected for tests; default setTimeout. */
  readonly sleep?: (ms: number) => Promise<void>;
}

export const TRANSIENT_STATUSES: ReadonlySet<number> = new Set([408, 429, 502, 503, 504]);

export const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Delay before retry number `retry` (1-based), from Retry-After when the server sent one. */
export function retryDelay(policy: RetryPolicy, retry: number, retryAfter?: string | null): number {
  const max = policy.maxDelayMs ?? 4000;
  const seconds = retryAfter ? Number(retryAfter) : NaN;
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(max, seconds * 1000);
  return Math.min(max, (policy.baseDelayMs ?? 250) * 2 ** (retry - 1));
}
