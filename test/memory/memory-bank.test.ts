import { InputError } from '../../extension/src/engine/errors';
import {
  DEFAULT_BANK_OPTIONS,
  MemoryBank,
  type BankOptions,
  type BankPolicyName,
} from '../../extension/src/engine/memory';
import { chiSquare, histogram, memory, vec } from './helpers';

const bank = (patch: Partial<BankOptions> = {}): MemoryBank<string> =>
  new MemoryBank<string>({ ...DEFAULT_BANK_OPTIONS, ...patch });

const a = vec(1, 0);
const b = vec(0, 1);
const c = vec(1, 1); // between a and b: the redundant one
const d = vec(-1, 0);

describe("MemoryBank, policy 'paper' (threshold + Eq. 2–3 + Eq. 4–5)", () => {
  it('stores a present, confident frame while the bank is not full', () => {
    const m = bank();
    const r = m.offer(memory(0, a));
    expect(r).toMatchObject({ candidate: true, accepted: true, evicted: [], replaced: false });
    expect(m.size).toBe(1);
    expect(m.entries[0].payload).toBe('payload of frame 0');
  });

  it('accepts confidence exactly c_thresh and rejects anything below it, leaving the bank unchanged', () => {
    const m = bank({ confidenceThreshold: 0.5 });
    expect(m.offer(memory(0, a, { confidence: 0.5 })).accepted).toBe(true);
    const below = m.offer(memory(1, b, { confidence: 0.4999 }));
    expect(below).toEqual({
      candidate: true,
      accepted: false,
      evicted: [],
      replaced: false,
      reason: 'below c_thresh 0.50 (0.4999)',
    });
    expect(m.snapshot().frames).toEqual([0]);
  });

  it('states the threshold and the confidence in the rejection reason', () => {
    expect(bank().offer(memory(3, a, { confidence: 0.31 })).reason).toBe('below c_thresh 0.50 (0.31)');
  });

  it('does not consider a frame where the object is absent, however confident', () => {
    const m = bank();
    m.offer(memory(0, a));
    const r = m.offer(memory(1, b, { confidence: 0.99, objectPresent: false }));
    expect(r).toEqual({
      candidate: false,
      accepted: false,
      evicted: [],
      replaced: false,
      reason: 'object absent',
    });
    expect(m.snapshot().frames).toEqual([0]);
  });

  it('does not keep a newcomer that is the most redundant member of C = M ∪ {E}', () => {
    // K = 2, M = {a, b}; C = {a, b, c}: D_a = D_b = 2 − 1/√2 ≈ 1.29 > D_c = 2 − √2 ≈ 0.59.
    const m = bank({ capacity: 2 });
    m.offer(memory(0, a));
    m.offer(memory(1, b));
    const r = m.offer(memory(2, c));
    expect(r.candidate).toBe(true);
    expect(r.accepted).toBe(false);
    expect(r.evicted).toEqual([]);
    expect(r.reason).toBe('not kept: D=0.59 ranks below the top 2 of 3');
    expect(m.snapshot().frames).toEqual([0, 1]);
  });

  it('evicts the most redundant stored entry for a newcomer that adds diversity', () => {
    // K = 2, M = {a, b}; C = {a, b, d}: sims ab 0, ad −1, bd 0 → D_a = 3, D_b = 2, D_d = 3.
    const m = bank({ capacity: 2 });
    m.offer(memory(0, a));
    m.offer(memory(1, b));
    const r = m.offer(memory(2, d));
    expect(r).toEqual({
      candidate: true,
      accepted: true,
      evicted: [1],
      replaced: false,
      reason: 'kept: D=3.00; evicted frame 1 (D=2.00)',
    });
    expect(m.snapshot().frames).toEqual([0, 2]);
  });

  it('breaks a tie in D by the higher confidence', () => {
    // K = 3, C = {a, b, d, c}: D_a ≈ 3.29, D_d ≈ 4.71, D_b = D_c = 3 − 1/√2. c (0.8) beats b (0.6).
    const m = bank({ capacity: 3 });
    m.offer(memory(0, a, { confidence: 0.9 }));
    m.offer(memory(1, b, { confidence: 0.6 }));
    m.offer(memory(2, d, { confidence: 0.9 }));
    const r = m.offer(memory(3, c, { confidence: 0.8 }));
    expect(r.accepted).toBe(true);
    expect(r.evicted).toEqual([1]);
    expect(m.snapshot()).toEqual({ frames: [0, 2, 3], confidences: [0.9, 0.9, 0.8] });
  });

  it('breaks a tie in D and confidence by keeping the older entry', () => {
    const m = bank({ capacity: 3 });
    m.offer(memory(0, a, { confidence: 0.9 }));
    m.offer(memory(1, b, { confidence: 0.7 }));
    m.offer(memory(2, d, { confidence: 0.9 }));
    const r = m.offer(memory(3, c, { confidence: 0.7 }));
    expect(r.accepted).toBe(false);
    expect(m.snapshot().frames).toEqual([0, 1, 2]);
  });

  it('compares keys (Eq. 2) for eviction, not match keys', () => {
    // Match keys would make c the most distinct; the keys make it the most redundant.
    const m = bank({ capacity: 2 });
    m.offer(memory(0, a, { matchKey: vec(1, 0) }));
    m.offer(memory(1, b, { matchKey: vec(1, 0) }));
    expect(m.offer(memory(2, c, { matchKey: vec(-1, 0) })).accepted).toBe(false);
  });

  it('draws K memories by Eq. 4–5, comparing the query with match keys', () => {
    // Query (1,0) vs match keys: frame 0 → 1, frame 1 → 0, frame 2 → 1/√2.
    const m = bank({ capacity: 3 });
    m.offer(memory(0, a, { matchKey: vec(1, 0) }));
    m.offer(memory(1, b, { matchKey: vec(0, 1) }));
    m.offer(memory(2, d, { matchKey: vec(1, 1) }));
    const sel = m.select(vec(1, 0));
    expect(sel.entries).toHaveLength(3);
    expect(sel.drawnFrames).toEqual(sel.entries.map((e) => e.frame));
    expect(sel.drawnFrames).not.toContain(1);
    const s = Math.SQRT1_2;
    expect(sel.probabilities.map((x) => x.frame)).toEqual([0, 1, 2]);
    expect(sel.probabilities[0].p).toBeCloseTo(1 / (1 + s), 6);
    expect(sel.probabilities[1].p).toBe(0);
    expect(sel.probabilities[2].p).toBeCloseTo(s / (1 + s), 6);
  });

  it('draws K memories even while the bank holds fewer (with replacement)', () => {
    const m = bank({ capacity: 6 });
    m.offer(memory(4, a));
    m.offer(memory(5, b));
    const sel = m.select(vec(1, 1));
    expect(sel.entries).toHaveLength(6);
    expect(new Set(sel.drawnFrames).size).toBeLessThanOrEqual(2);
  });

  it('draws frames in proportion to Eq. 4 over many frames (chi-square, 20k draws)', () => {
    // Query (1,0) against match keys at 0°, 60°, 90°: sims 1, 0.5, 0 → p = 2/3, 1/3, 0.
    // Keys are orthogonal so all three stay in the bank.
    const m = bank({ capacity: 4, seed: 77 });
    m.offer(memory(0, vec(1, 0, 0), { matchKey: vec(1, 0) }));
    m.offer(memory(1, vec(0, 1, 0), { matchKey: vec(0.5, Math.sqrt(3) / 2) }));
    m.offer(memory(2, vec(0, 0, 1), { matchKey: vec(0, 1) }));
    expect(m.size).toBe(3);
    const draws: number[] = [];
    for (let t = 0; t < 5000; t++) draws.push(...m.select(vec(1, 0)).drawnFrames);
    expect(draws).toHaveLength(20_000);
    const counts = histogram(draws, 3);
    expect(counts[2]).toBe(0);
    expect(chiSquare(counts, [2 / 3, 1 / 3, 0])).toBeLessThan(10.83); // 1 d.o.f., p = 0.001
  });

  it('returns an empty selection for an empty bank, query or not', () => {
    expect(bank().select(vec(1, 0))).toEqual({ entries: [], drawnFrames: [], probabilities: [] });
    expect(bank().select(null)).toEqual({ entries: [], drawnFrames: [], probabilities: [] });
  });
});

describe("MemoryBank, policy 'sam2-fifo' (SAM 2's memory)", () => {
  const fifo = (capacity = 3) => bank({ policy: 'sam2-fifo', capacity });

  it('stores every offered frame, present or not, confident or not', () => {
    const m = fifo();
    expect(m.offer(memory(0, a, { confidence: 0.01 }))).toMatchObject({ candidate: true, accepted: true });
    expect(m.offer(memory(1, a, { objectPresent: false }))).toMatchObject({
      candidate: true,
      accepted: true,
    });
    expect(m.snapshot().frames).toEqual([0, 1]);
  });

  it('keeps the K most recently offered frames and reports the evicted one', () => {
    const m = fifo(3);
    for (const f of [0, 1, 2]) expect(m.offer(memory(f, a)).evicted).toEqual([]);
    expect(m.offer(memory(3, a))).toEqual({
      candidate: true,
      accepted: true,
      evicted: [0],
      replaced: false,
      reason: 'fifo',
    });
    m.offer(memory(4, a));
    m.offer(memory(5, a));
    expect(m.snapshot().frames).toEqual([3, 4, 5]);
  });

  it('orders by insertion, not by frame number (backward propagation)', () => {
    const m = fifo(3);
    for (const f of [10, 9, 8, 7]) m.offer(memory(f, a));
    expect(m.snapshot().frames).toEqual([9, 8, 7]);
  });

  it('select() returns the bank as is, oldest first (SAM 2 concatenation order), and needs no query', () => {
    const m = fifo(3);
    for (const f of [0, 1, 2, 3]) m.offer(memory(f, a));
    const sel = m.select(null);
    expect(sel.drawnFrames).toEqual([1, 2, 3]);
    expect(sel.entries.map((e) => e.payload)).toEqual([
      'payload of frame 1',
      'payload of frame 2',
      'payload of frame 3',
    ]);
    expect(sel.probabilities).toEqual([]);
    expect(m.select(vec(1, 0))).toEqual(sel);
  });
});

describe('MemoryBank, each policy switches on exactly its part of the paper', () => {
  // Threshold: a present frame below c_thresh. Eviction: K = 2, offer a, b, then the redundant c
  // (dissimilarity keeps {a, b}; FIFO keeps {b, c}). Resampling: select() draws K with probabilities.
  it.each<[BankPolicyName, boolean, number[], boolean]>([
    ['sam2-fifo', false, [1, 2], false],
    ['paper', true, [0, 1], true],
    ['threshold-only', true, [1, 2], false],
    ['dissimilarity-only', false, [0, 1], false],
    ['resampling-only', false, [1, 2], true],
  ])('%s: threshold %s, keeps frames %j of a, b, c, resamples %s', (policy, threshold, kept, resamples) => {
    const low = bank({ policy, capacity: 2 }).offer(memory(9, a, { confidence: 0.2 }));
    expect(low.accepted).toBe(!threshold);

    const m = bank({ policy, capacity: 2 });
    m.offer(memory(0, a));
    m.offer(memory(1, b));
    m.offer(memory(2, c));
    expect(m.snapshot().frames).toEqual(kept);

    const three = bank({ policy, capacity: 3 });
    three.offer(memory(0, a));
    three.offer(memory(1, d));
    const sel = three.select(vec(1, 0));
    expect(sel.probabilities.length > 0).toBe(resamples);
    expect(sel.entries).toHaveLength(resamples ? 3 : 2);
    if (resamples) expect(sel.drawnFrames).toEqual([0, 0, 0]); // p = [1, 0]
  });

  it.each<BankPolicyName>(['paper', 'threshold-only', 'dissimilarity-only', 'resampling-only'])(
    '%s: a frame where the object is absent is not a candidate',
    (policy) => {
      const m = bank({ policy });
      const r = m.offer(memory(0, a, { objectPresent: false }));
      expect(r.candidate).toBe(false);
      expect(m.size).toBe(0);
    },
  );

  it('threshold-only keeps the K most recent of the accepted frames', () => {
    const m = bank({ policy: 'threshold-only', capacity: 2 });
    m.offer(memory(0, a));
    m.offer(memory(1, a));
    m.offer(memory(2, a, { confidence: 0.1 })); // rejected: does not push frame 0 out
    expect(m.snapshot().frames).toEqual([0, 1]);
    expect(m.offer(memory(3, a)).evicted).toEqual([0]);
    expect(m.snapshot().frames).toEqual([1, 3]);
  });
});

describe('MemoryBank reproducibility', () => {
  const run = (seed: number): number[][] => {
    const m = bank({ seed, capacity: 4 });
    const keys = [vec(1, 0, 0), vec(0, 1, 0), vec(0, 0, 1), vec(1, 1, 0), vec(0, 1, 1)];
    const draws: number[][] = [];
    keys.forEach((key, frame) => {
      draws.push(m.select(vec(1, 1, 1)).drawnFrames);
      m.offer(memory(frame, key));
    });
    for (let t = 0; t < 30; t++) draws.push(m.select(vec(1, 0.5, 0.25)).drawnFrames);
    return draws;
  };

  it('gives identical draws for the same options, offers and queries', () => {
    expect(run(123)).toEqual(run(123));
  });

  it('gives a different draw sequence for a different seed', () => {
    expect(run(123)).not.toEqual(run(124));
  });
});

describe('MemoryBank.clone (restart from a checkpoint)', () => {
  const filled = (): MemoryBank<string> => {
    const m = bank({ capacity: 3, seed: 5 });
    m.offer(memory(0, vec(1, 0, 0)));
    m.offer(memory(1, vec(0, 1, 0)));
    m.offer(memory(2, vec(0, 0, 1)));
    m.select(vec(1, 1, 1));
    return m;
  };

  it('has the same contents', () => {
    const m = filled();
    const copy = m.clone();
    expect(copy.snapshot()).toEqual(m.snapshot());
    expect(copy.entries).toEqual(m.entries);
    expect(copy.options).toEqual(m.options);
  });

  it('continues with the same draws as the original', () => {
    const m = filled();
    const copy = m.clone();
    for (let t = 0; t < 10; t++)
      expect(copy.select(vec(1, 1, 0)).drawnFrames).toEqual(m.select(vec(1, 1, 0)).drawnFrames);
  });

  it('offering to the clone leaves the original unchanged', () => {
    const m = filled();
    const copy = m.clone();
    const r = copy.offer(memory(3, vec(-1, -1, -1)));
    expect(r.accepted).toBe(true);
    expect(copy.snapshot().frames).not.toEqual([0, 1, 2]);
    expect(m.snapshot().frames).toEqual([0, 1, 2]);
  });

  it("drawing from the clone does not advance the original's generator", () => {
    const m = filled();
    const reference = m.clone();
    const copy = m.clone();
    for (let t = 0; t < 7; t++) copy.select(vec(0, 1, 1));
    expect(m.select(vec(0, 1, 1))).toEqual(reference.select(vec(0, 1, 1)));
  });

  it('keeps insertion order across the clone (FIFO evicts the same frame in both)', () => {
    const m = bank({ policy: 'sam2-fifo', capacity: 2 });
    m.offer(memory(0, a));
    m.offer(memory(1, a));
    const copy = m.clone();
    expect(copy.offer(memory(2, a)).evicted).toEqual([0]);
    expect(m.offer(memory(2, a)).evicted).toEqual([0]);
  });
});

describe('MemoryBank, the same frame offered again', () => {
  it('replaces the stale entry of that frame', () => {
    const m = bank();
    m.offer(memory(4, a, { confidence: 0.6 }));
    const r = m.offer(memory(4, b, { confidence: 0.9 }));
    expect(r).toMatchObject({ accepted: true, replaced: true, evicted: [] });
    expect(m.snapshot()).toEqual({ frames: [4], confidences: [0.9] });
  });

  it('drops the stale entry even when the new prediction is rejected', () => {
    const m = bank();
    m.offer(memory(4, a, { confidence: 0.6 }));
    const r = m.offer(memory(4, a, { confidence: 0.1 }));
    expect(r).toMatchObject({ accepted: false, replaced: true, evicted: [4] });
    expect(m.size).toBe(0);
  });
});

describe('MemoryBank bad input', () => {
  it('refuses a key whose length differs from the stored keys, naming the frames', () => {
    const m = bank();
    m.offer(memory(0, vec(1, 0)));
    m.offer(memory(1, vec(0, 1)));
    const offer = () => m.offer(memory(2, vec(1, 0, 0)));
    expect(offer).toThrow(InputError);
    expect(offer).toThrow('memory bank: key of frame 2 has 3 values but the keys of frames 0, 1 have 2');
    expect(m.size).toBe(2);
  });

  it('refuses a match key whose length differs from the stored match keys, naming the frames', () => {
    const m = bank();
    m.offer(memory(0, vec(1, 0), { matchKey: vec(1, 2, 3) }));
    expect(() => m.offer(memory(5, vec(0, 1), { matchKey: vec(1, 2) }))).toThrow(
      'memory bank: matchKey of frame 5 has 2 values but the matchKeys of frames 0 have 3',
    );
  });

  it('refuses a query whose length differs from the match keys', () => {
    const m = bank();
    m.offer(memory(0, vec(1, 0)));
    expect(() => m.select(vec(1, 0, 0))).toThrow(/query has 3 values but the match keys of frames 0 have 2/);
  });

  it('refuses a null query when the policy resamples and the bank is not empty', () => {
    const m = bank({ policy: 'resampling-only' });
    m.offer(memory(0, a));
    expect(() => m.select(null)).toThrow(InputError);
    expect(() => m.select(null)).toThrow(/'resampling-only' resamples .* needs a query vector/);
  });

  it.each<[string, Parameters<typeof memory>, RegExp]>([
    ['a negative frame', [-1, a], /frame must be an integer >= 0 \(got -1\)/],
    ['a fractional frame', [1.5, a], /frame must be an integer >= 0 \(got 1\.5\)/],
    [
      'a NaN confidence',
      [3, a, { confidence: NaN }],
      /confidence of frame 3 must be a finite number \(got NaN\)/,
    ],
    ['an empty key', [3, new Float32Array(0)], /key of frame 3 must be a non-empty Float32Array/],
  ])('refuses %s', (_, args, message) => {
    expect(() => bank().offer(memory(...args))).toThrow(message);
  });
});
