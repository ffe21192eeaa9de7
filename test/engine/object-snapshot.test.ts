import type { SamModel } from '../../extension/src/engine/model/sam-model';
import { restoreObject, snapshotObject } from '../../extension/src/engine/object-snapshot';
import { SegmentationSession } from '../../extension/src/engine/session';
import { blobVolume, collect } from '../support/synthetic';
import { loadTestModel } from '../support/test-model';

let model: SamModel;
beforeAll(async () => {
  model = await loadTestModel('native');
});
afterAll(() => model.release());

const sphere = () => blobVolume([48, 48, 24], [{ center: [24, 22, 12], radii: [10, 10, 5] }]).volume;

describe('object snapshot (Undo)', () => {
  it('restores exactly the masks, outcomes and prompts from before a correction, with nothing left to redo', async () => {
    const session = new SegmentationSession(model, sphere());
    const id = session.addObject();
    await session.setPrompt(id, 12, { points: [{ x: 24, y: 22, label: 1 }] });
    await collect(session.propagate());
    const maskBefore = session.mask(id);
    const outcomesBefore = session.outcomes(id).map((o) => [o.frame, o.confidence, o.present]);
    const promptsBefore = session.prompts(id);

    const snapshot = snapshotObject(session, id);
    // A correction on another slice and its propagation change the result.
    await session.setPrompt(id, 15, { points: [{ x: 24, y: 22, label: 0 }] });
    const redone = await collect(session.propagate());
    expect(redone.length).toBeGreaterThan(0);
    expect(session.mask(id)).not.toEqual(maskBefore);

    restoreObject(session, snapshot);
    expect(session.mask(id)).toEqual(maskBefore);
    expect(session.outcomes(id).map((o) => [o.frame, o.confidence, o.present])).toEqual(outcomesBefore);
    expect(session.prompts(id)).toEqual(promptsBefore);
    // The runs done before the correction count as done again: Propagate has nothing to redo.
    await expect(collect(session.propagate())).resolves.toEqual([]);
  });

  it('undoing the first prompt leaves the object without prompts or results', async () => {
    const session = new SegmentationSession(model, sphere());
    const id = session.addObject();
    const empty = snapshotObject(session, id);
    await session.setPrompt(id, 12, { points: [{ x: 24, y: 22, label: 1 }] });
    restoreObject(session, empty);
    expect(session.prompts(id)).toEqual([]);
    expect(session.mask(id).some((v) => v > 0)).toBe(false);
  });

  it('names an unknown object', () => {
    const session = new SegmentationSession(model, sphere());
    expect(() => snapshotObject(session, 7)).toThrow('no object with id 7');
  });
});
