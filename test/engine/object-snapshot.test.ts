import type { SamModel } from '../../extension/src/engine/model/sam-model';

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
    const sumsBefore = session.outcomes(id).map((o) => o.lowResLogits.reduce((a, v) => a + v, 0));

    const snapshot = session.snapshot(id);
    // A correction on another slice and its propagation change the result.
    await session.setPrompt(id, 15, { points: [{ x: 24, y: 22, label: 0 }] });
    const redone = await collect(session.propagate());
    expect(redone.length).toBeGreaterThan(0);
    const logitSums = () => session.outcomes(id).map((o) => o.lowResLogits.reduce((a, v) => a + v, 0));
    expect(logitSums()).not.toEqual(sumsBefore);

    session.restore(snapshot);
    expect(session.mask(id)).toEqual(maskBefore);
    expect(logitSums()).toEqual(sumsBefore);
    expect(session.outcomes(id).map((o) => [o.frame, o.confidence, o.present])).toEqual(outcomesBefore);
    expect(session.prompts(id)).toEqual(promptsBefore);
    // The runs done before the correction count as done again: Propagate has nothing to redo.
    await expect(collect(session.propagate())).resolves.toEqual([]);
  });

  it('undoing the first prompt leaves the object without prompts or results', async () => {
    const session = new SegmentationSession(model, sphere());
    const id = session.addObject();
    const empty = session.snapshot(id);
    await session.setPrompt(id, 12, { points: [{ x: 24, y: 22, label: 1 }] });
    session.restore(empty);
    expect(session.prompts(id)).toEqual([]);
    expect(session.mask(id).some((v) => v > 0)).toBe(false);
  });

  it('names an unknown object', () => {
    const session = new SegmentationSession(model, sphere());
    expect(() => session.snapshot(7)).toThrow('no object with id 7');
  });
});
