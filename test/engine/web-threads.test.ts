/** How many wasm threads the browser backend asks for, from the cores the browser reports. */
import { MAX_WASM_THREADS, wasmThreadsFor } from '../../extension/src/engine/runtime/web-backends';

describe('wasmThreadsFor', () => {
  it('uses every core of a 2-core desktop and leaves one to the page from 3 cores on', () => {
    expect([2, 3, 4, 6, 8].map((cores) => wasmThreadsFor(cores, true))).toEqual([2, 2, 3, 5, 7]);
  });

  it(`caps at ${MAX_WASM_THREADS} threads on many-core machines`, () => {
    expect(wasmThreadsFor(16, true)).toBe(MAX_WASM_THREADS);
    expect(wasmThreadsFor(64, true)).toBe(MAX_WASM_THREADS);
  });

  it('runs 1 thread without cross-origin isolation, whatever the cores', () => {
    expect(wasmThreadsFor(8, false)).toBe(1);
  });

  it('runs 1 thread when the browser reports no usable core count', () => {
    expect([undefined, 0, 1, NaN, Infinity].map((c) => wasmThreadsFor(c, true))).toEqual([1, 1, 1, 1, 1]);
  });
});
