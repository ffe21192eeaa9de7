/** The self-sorting memory bank (paper §3.2, Eq. 2–5) and its ablation policies (Table 3). */
export { MemoryBank, type MemoryEntry, type OfferResult, type Selection } from './memory-bank';
export {
  BANK_POLICY_NAMES,
  DEFAULT_BANK_OPTIONS,
  describePolicy,
  validateBankOptions,
  type BankOptions,
  type BankPolicyName,
  type PolicySwitches,
} from './policies';
export { createRng, type Rng } from './rng';
export {
  cosineSimilarity,
  memoizeSimilarity,
  similarityFunction,
  SIMILARITY_NAMES,
  type SimilarityFunction,
  type SimilarityName,
} from './similarity';
export {
  DISSIMILARITY_TIE_DECIMALS,
  rankByDissimilarity,
  selectMostDissimilar,
  totalDissimilarity,
  type DissimilarityCandidate,
} from './dissimilarity';
export { resample, resamplingProbabilities } from './resampling';
