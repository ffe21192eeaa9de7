/**
 * Times the memory bank's own work inside a real propagation — `select` (Eq. 4–5 resampling, or the
 * bank as is) and `offer` (c_thresh gate, Eq. 2–3 ranking, or FIFO) — without a timer in the engine:
 * while installed, every MemoryBank's two methods are wrapped with a clock. The engine runs
 * unchanged; the wrapper adds two clock reads per call. One timer at a time.
 */
import { MemoryBank } from '../engine/memory/memory-bank';

export interface BankTimer {
  /** Milliseconds spent in select + offer since install or the last reset. */
  readonly ms: number;
  readonly calls: number;
  reset(): void;
  uninstall(): void;
}

let installed = false;

export function installBankTimer(now: () => number = () => performance.now()): BankTimer {
  if (installed) throw new Error('bench: a bank timer is already installed');
  installed = true;
  const proto = MemoryBank.prototype;
  const original = { select: proto.select, offer: proto.offer };
  let ms = 0;
  let calls = 0;
  const timed = <A extends unknown[], R>(fn: (this: MemoryBank, ...args: A) => R) =>
    function (this: MemoryBank, ...args: A): R {
      const t0 = now();
      try {
        return fn.apply(this, args);
      } finally {
        ms += now() - t0;
        calls++;
      }
    };
  proto.select = timed(original.select);
  proto.offer = timed(original.offer);
  return {
    get ms() {
      return ms;
    },
    get calls() {
      return calls;
    },
    reset() {
      ms = 0;
      calls = 0;
    },
    uninstall() {
      proto.select = original.select;
      proto.offer = original.offer;
      installed = false;
    },
  };
}
