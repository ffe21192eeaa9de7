import { SegmentationSession } from '../../extension/src/engine/session';
import { blobVolume, collect, dice } from '../support/synthetic';
import { loadTestModel } from '../support/test-model';

/**
 * onnxruntime-node (native CPU) and onnxruntime-web (wasm) run the same graphs; per-graph outputs
 * agree within 1e-4 (test/model). Through the whole loop the binary masks must agree to Dice ≥ 0.999
 * and the per-slice confidences within 1e-3: float differences may flip a boundary voxel, no more.
 */
it('native and wasm backends give the same masks through the whole propagation loop', async () => {
  const { volume } = blobVolume([48, 48, 24], [{ center: [24, 22, 12], radii: [10, 9, 6] }]);
  const run = async (backend: 'native' | 'wasm') => {
    const model = await loadTestModel(backend);
    try {
      const session = new SegmentationSession(model, volume, { trace: true });
      const id = session.addObject();
      await session.setPrompt(id, 12, { points: [{ x: 24, y: 22, label: 1 }] });
      const updates = await collect(session.propagate());
      return { mask: session.mask(id), updates };
    } finally {
      await model.release();
    }
  };
  const native = await run('native');
  const wasm = await run('wasm');
  expect(native.mask.reduce((n, v) => n + v, 0)).toBeGreaterThan(1000);
  expect(dice(native.mask, wasm.mask)).toBeGreaterThanOrEqual(0.999);
  native.updates.forEach((u, i) => {
    expect(wasm.updates[i].slice).toBe(u.slice);
    expect(Math.abs(wasm.updates[i].confidence - u.confidence)).toBeLessThan(1e-3);
    expect(wasm.updates[i].trace?.drawn).toEqual(u.trace?.drawn);
  });
});
