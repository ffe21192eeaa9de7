/**
 * Voxels without a value (NaN, as NIfTI files from registration or masking carry) are the bottom of
 * the intensity range: a volume holding them propagates exactly as the same volume with the lowest
 * value there (0 in MR, air in CT), on the real test model,
 * instead of ending with an error from deep inside the memory bank.
 */
import type { SamModel } from '../../extension/src/engine/model/sam-model';
import { SegmentationSession } from '../../extension/src/engine/session';
import type { Modality } from '../../extension/src/engine/types';
import { blobVolume, collect } from '../support/synthetic';
import { loadTestModel } from '../support/test-model';

let model: SamModel;
beforeAll(async () => {
  model = await loadTestModel();
});
afterAll(async () => {
  await model.release();
});

async function propagated(data: Float32Array, modality: Modality) {
  const { volume } = blobVolume([48, 48, 12], [{ center: [24, 24, 6], radii: [10, 10, 4] }]);
  const session = new SegmentationSession(model, { ...volume, data, modality });
  const id = session.addObject();
  await session.setPrompt(id, 6, { points: [{ x: 24, y: 24, label: 1 }] });
  const updates = await collect(session.propagate());
  return { mask: Array.from(session.mask(id)), confidences: updates.map((u) => u.confidence) };
}

describe('NaN voxels', () => {
  it.each([
    ['MR', 0],
    ['CT', -1000],
  ] as const)('%s: a volume with NaN voxels propagates as with %d there', async (modality, lowest) => {
    const { volume } = blobVolume([48, 48, 12], [{ center: [24, 24, 6], radii: [10, 10, 4] }]);
    const withNaN = Float32Array.from(volume.data);
    const withLowest = Float32Array.from(volume.data);
    // A NaN corner on every slice and a NaN voxel inside the object on slice 8.
    for (let z = 0; z < 12; z++)
      for (let i = 0; i < 40; i++) {
        withNaN[z * 48 * 48 + i] = NaN;
        withLowest[z * 48 * 48 + i] = lowest;
      }
    withNaN[8 * 48 * 48 + 24 * 48 + 24] = NaN;
    withLowest[8 * 48 * 48 + 24 * 48 + 24] = lowest;
    const a = await propagated(withNaN, modality);
    const b = await propagated(withLowest, modality);
    expect(a.confidences.every(Number.isFinite)).toBe(true);
    expect(a).toEqual(b);
    expect(a.mask.reduce((n, v) => n + v, 0)).toBeGreaterThan(100);
  });
});
