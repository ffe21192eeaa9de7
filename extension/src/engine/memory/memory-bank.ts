/**
 * The self-sorting memory bank of MedSAM-2 (paper §3.2), one per propagated sequence.
 *
 *   offer()  — after frame t is predicted: threshold on c_t, then Eq. 2–3 (or FIFO) decides what stays.
 *   select() — before frame t is attended: Eq. 4–5 resample the bank (or it is used as is).
 *
 * Conditioning (prompted) memories are not the bank's business: the loop always attends them.
 * Which policy's switches are on is in policies.ts; the bank never looks inside `payload`.
 */
import { InputError } from '../errors';
import { rankByDissimilarity } from './dissimilarity';
import { describePolicy, validateBankOptions, type BankOptions, type PolicySwitches } from './policies';
import { probabilitiesFromSimilarities, resample } from './resampling';
import { createRng, type Rng } from './rng';
import { memoizeSimilarity, similarityFunction, type SimilarityFunction } from './similarity';

export interface MemoryEntry<T = unknown> {
  /** Slice (or image) index the memory came from. */
  readonly frame: number;
  /** c_t: the decoder's predicted IoU of the chosen mask. */
  readonly confidence: number;
  /** Object score > 0. */
  readonly objectPresent: boolean;
  /** E_i of Eq. 2: compared between bank entries. Must not be mutated after offer(). */
  readonly key: Float32Array;
  /** E_i of Eq. 4: compared with the current frame's query F_t. Must not be mutated after offer(). */
  readonly matchKey: Float32Array;
  /** The loop's data (memory features, position encoding, object pointer); opaque to the bank. */
  readonly payload: T;
}

export interface OfferResult {
  /** Passed the object gate (for sam2-fifo: always). */
  candidate: boolean;
  /** The entry is in the bank now. */
  accepted: boolean;
  /** Frames that were in the bank before this offer and are not any more. */
  evicted: number[];
  /** The bank already held this frame; that stale entry was removed before the policy ran. */
  replaced: boolean;
  /** For traces, e.g. 'below c_thresh 0.50 (0.31)', 'object absent', 'kept: D=…', 'fifo'. */
  reason: string;
}

export interface Selection<T> {
  /** What to attend besides the conditioning memories, in order. */
  entries: MemoryEntry<T>[];
  /** Frame of each of `entries`, in the same order (the draws, when the policy resamples). */
  drawnFrames: number[];
  /**
   * Eq. 4 per bank entry (bank order): sim(F_t, E_i) and the draw probability p_i; [] when the
   * policy does not resample.
   */
  probabilities: { frame: number; p: number; similarity: number }[];
}

interface Stored<T> {
  readonly entry: MemoryEntry<T>;
  /** Insertion order: FIFO eviction and the last tie-break of Eq. 3 use it. */
  readonly sequence: number;
}

const fmt = (x: number): string => x.toFixed(2);
/** Up to 4 decimals, so 0.4999 is not shown as the threshold it missed. */
const fmtConfidence = (x: number): string => String(Number(x.toFixed(4)));

export class MemoryBank<T = unknown> {
  readonly options: Readonly<BankOptions>;
  readonly switches: PolicySwitches;
  private stored: Stored<T>[] = [];
  private nextSequence = 0;
  private rng: Rng;
  private readonly sim: SimilarityFunction;
  /** Pairwise sims between keys are cached (Eq. 2 re-reads them on every offer). */
  private readonly keySim: SimilarityFunction;

  constructor(options: BankOptions) {
    this.options = Object.freeze({ ...validateBankOptions(options) });
    this.switches = describePolicy(options.policy);
    this.rng = createRng(options.seed);
    this.sim = similarityFunction(options.similarity);
    this.keySim = memoizeSimilarity(this.sim);
  }

  get entries(): readonly MemoryEntry<T>[] {
    return this.stored.map((s) => s.entry);
  }

  get size(): number {
    return this.stored.length;
  }

  offer(entry: MemoryEntry<T>): OfferResult {
    this.checkEntry(entry);
    const { threshold, dissimilarity, objectGate } = this.switches;
    const before = this.stored.map((s) => s.entry.frame);
    const replaced = before.includes(entry.frame);
    // A frame predicted again (e.g. after a correction) makes its earlier memory stale.
    if (replaced) this.stored = this.stored.filter((s) => s.entry.frame !== entry.frame);
    const result = (candidate: boolean, accepted: boolean, reason: string): OfferResult => {
      const now = this.stored.map((s) => s.entry.frame);
      const evicted = before.filter((f) => !now.includes(f));
      return { candidate, accepted, evicted, replaced, reason };
    };

    if (objectGate && !entry.objectPresent) return result(false, false, 'object absent');
    const cThresh = this.options.confidenceThreshold;
    if (threshold && entry.confidence < cThresh) {
      return result(true, false, `below c_thresh ${fmt(cThresh)} (${fmtConfidence(entry.confidence)})`);
    }

    const newcomer: Stored<T> = { entry, sequence: this.nextSequence++ };
    const candidates = [...this.stored, newcomer]; // C = M ∪ {E}
    const K = this.options.capacity;

    if (!dissimilarity) {
      this.stored = candidates.slice(-K); // FIFO: the K most recently inserted
      return result(true, true, 'fifo');
    }

    const ranking = rankByDissimilarity(
      candidates.map((s) => ({ key: s.entry.key, confidence: s.entry.confidence, sequence: s.sequence })),
      K,
      this.keySim,
    );
    this.stored = ranking.kept.map((i) => candidates[i]);
    const dNew = ranking.dissimilarity[candidates.length - 1];
    const accepted = this.stored.includes(newcomer);
    const dropped = candidates
      .map((s, i) => ({ frame: s.entry.frame, d: ranking.dissimilarity[i], kept: ranking.kept.includes(i) }))
      .filter((c) => !c.kept && c.frame !== entry.frame)
      .map((c) => `frame ${c.frame} (D=${fmt(c.d)})`);
    const reason = accepted
      ? `kept: D=${fmt(dNew)}` + (dropped.length ? `; evicted ${dropped.join(', ')}` : '')
      : `not kept: D=${fmt(dNew)} ranks below the top ${K} of ${candidates.length}`;
    return result(true, accepted, reason);
  }

  select(query: Float32Array | null): Selection<T> {
    if (!this.switches.resampling || this.stored.length === 0) {
      // The bank as is, oldest first: the order SAM 2 concatenates its non-conditioning memories
      // (farthest first, the previous frame last).
      const entries = this.stored.map((s) => s.entry);
      return { entries, drawnFrames: entries.map((e) => e.frame), probabilities: [] };
    }
    if (query === null) {
      throw new InputError(
        'invalid-options',
        `memory bank: policy '${this.options.policy}' resamples by similarity to the current frame (Eq. 4), so select() needs a query vector`,
      );
    }
    const matchLength = this.stored[0].entry.matchKey.length;
    if (query.length !== matchLength) {
      throw new InputError(
        'invalid-options',
        `memory bank: query has ${query.length} values but the match keys of frames ${this.frameList()} have ${matchLength}`,
      );
    }
    const similarities = this.stored.map((s) => this.sim(query, s.entry.matchKey));
    const p = probabilitiesFromSimilarities(similarities);
    const draws = resample(p, this.options.capacity, this.rng);
    const entries = draws.map((i) => this.stored[i].entry);
    return {
      entries,
      drawnFrames: entries.map((e) => e.frame),
      probabilities: this.stored.map((s, i) => ({
        frame: s.entry.frame,
        p: p[i],
        similarity: similarities[i],
      })),
    };
  }

  /** Same contents, same insertion counter and same RNG state; independent from here on. Payloads are shared. */
  clone(): MemoryBank<T> {
    const copy = new MemoryBank<T>(this.options);
    copy.stored = [...this.stored];
    copy.nextSequence = this.nextSequence;
    copy.rng = this.rng.clone();
    return copy;
  }

  snapshot(): { frames: number[]; confidences: number[] } {
    return {
      frames: this.stored.map((s) => s.entry.frame),
      confidences: this.stored.map((s) => s.entry.confidence),
    };
  }

  private frameList(): string {
    return this.stored.map((s) => s.entry.frame).join(', ');
  }

  private checkEntry(entry: MemoryEntry<T>): void {
    const bad = (message: string): InputError => new InputError('invalid-options', `memory bank: ${message}`);
    if (!Number.isInteger(entry.frame) || entry.frame < 0) {
      throw bad(`frame must be an integer >= 0 (got ${entry.frame})`);
    }
    if (!Number.isFinite(entry.confidence)) {
      throw bad(`confidence of frame ${entry.frame} must be a finite number (got ${entry.confidence})`);
    }
    for (const field of ['key', 'matchKey'] as const) {
      const vector = entry[field];
      // Tag check, not instanceof: arrays made by a runtime in another realm (worker, addon) are still valid.
      if (Object.prototype.toString.call(vector) !== '[object Float32Array]' || vector.length === 0) {
        throw bad(`${field} of frame ${entry.frame} must be a non-empty Float32Array`);
      }
      const others = this.stored.filter((s) => s.entry.frame !== entry.frame);
      if (others.length > 0 && others[0].entry[field].length !== vector.length) {
        throw bad(
          `${field} of frame ${entry.frame} has ${vector.length} values but the ${field}s of frames ` +
            `${others.map((s) => s.entry.frame).join(', ')} have ${others[0].entry[field].length}`,
        );
      }
    }
  }
}
