/**
 * The bank's knobs and the policies of the paper's ablation (Table 3): its three switches —
 * IoU confidence threshold, dissimilar templates (Eq. 2–3), memory resampling (Eq. 4–5) — each on
 * its own, all together ('paper'), and SAM 2's plain FIFO memory as the baseline.
 */
import { InputError } from '../errors';
import { SIMILARITY_NAMES, type SimilarityName } from './similarity';

export type BankPolicyName =
  'sam2-fifo' | 'paper' | 'threshold-only' | 'dissimilarity-only' | 'resampling-only';

export interface BankOptions {
  policy: BankPolicyName;
  /** K: bank entries kept (Eq. 3) and memories drawn per frame (Eq. 5). */
  capacity: number;
  /** c_thresh: an entry whose predicted IoU is below this is not stored (§3.2). */
  confidenceThreshold: number;
  similarity: SimilarityName;
  /** Seed of the resampling draw; same options and same calls give the same draws. */
  seed: number;
}

export interface PolicySwitches {
  /** Store only entries with confidence >= c_thresh (§3.2, Table 3 column 1). */
  readonly threshold: boolean;
  /** Evict by total dissimilarity, Eq. 2–3 (Table 3 column 2); otherwise the oldest goes (FIFO). */
  readonly dissimilarity: boolean;
  /** Resample the bank before attention, Eq. 4–5 (Table 3 column 3). */
  readonly resampling: boolean;
  /**
   * Frames where the object is absent are not candidates. On for every MedSAM-2 policy so the
   * ablation varies only the three switches; off for SAM 2, which stores every frame's memory.
   */
  readonly objectGate: boolean;
}

const SWITCHES: Record<BankPolicyName, PolicySwitches> = {
  'sam2-fifo': { threshold: false, dissimilarity: false, resampling: false, objectGate: false },
  paper: { threshold: true, dissimilarity: true, resampling: true, objectGate: true },
  'threshold-only': { threshold: true, dissimilarity: false, resampling: false, objectGate: true },
  'dissimilarity-only': { threshold: false, dissimilarity: true, resampling: false, objectGate: true },
  'resampling-only': { threshold: false, dissimilarity: false, resampling: true, objectGate: true },
};

export const BANK_POLICY_NAMES = Object.keys(SWITCHES) as readonly BankPolicyName[];

export function describePolicy(policy: BankPolicyName): PolicySwitches {
  return SWITCHES[policy];
}

/**
 * K = 6: with the one conditioning memory that makes SAM 2's 7 memories (num_maskmem = 7), so the
 * attention sees as many memories under every policy and the comparison is like for like.
 *
 * c_thresh = 0.5: the paper gives no value. The decoder's IoU head predicts the mask's IoU with the
 * truth; 0.5 is the usual line between a right and a wrong mask (the PASCAL/COCO AP50 criterion),
 * so a memory is stored when its mask is predicted to be more right than wrong. SAM's automatic
 * mask generators use 0.88 (SAM) / 0.8 (SAM 2), but they pick among many proposals on natural
 * images; on medical slices predicted IoUs run lower and so strict a gate would often leave the
 * bank empty. Tune it with the ablation benchmark.
 */
export const DEFAULT_BANK_OPTIONS: Readonly<BankOptions> = Object.freeze({
  policy: 'paper',
  capacity: 6,
  confidenceThreshold: 0.5,
  similarity: 'cosine',
  seed: 0,
});

const invalid = (message: string): InputError => new InputError('invalid-options', `memory bank: ${message}`);

/** Throws InputError('invalid-options') naming the first bad option and its value. */
export function validateBankOptions(options: BankOptions): BankOptions {
  const { policy, capacity, confidenceThreshold, similarity, seed } = options;
  if (!BANK_POLICY_NAMES.includes(policy)) {
    throw invalid(`policy must be one of ${BANK_POLICY_NAMES.join(', ')} (got ${JSON.stringify(policy)})`);
  }
  if (typeof capacity !== 'number' || !Number.isInteger(capacity) || capacity < 1) {
    throw invalid(`capacity (K) must be an integer >= 1 (got ${String(capacity)})`);
  }
  if (typeof confidenceThreshold !== 'number' || !(confidenceThreshold >= 0 && confidenceThreshold <= 1)) {
    throw invalid(`confidenceThreshold (c_thresh) must be in [0, 1] (got ${String(confidenceThreshold)})`);
  }
  if (!SIMILARITY_NAMES.includes(similarity)) {
    throw invalid(
      `similarity must be one of ${SIMILARITY_NAMES.join(', ')} (got ${JSON.stringify(similarity)})`,
    );
  }
  if (typeof seed !== 'number' || !Number.isFinite(seed)) {
    throw invalid(`seed must be a finite number (got ${String(seed)})`);
  }
  return options;
}
