/**
 * What a segmentation session can be asked to do: its options (SAM 2 or MedSAM2 workflow, memory
 * bank policy, orientations, aggregation, early stop), their defaults, and the checks a session's
 * options and volume pass before anything is computed.
 */
import type { EncoderCache } from '../cache/encoder-cache';
import { InputError } from '../errors';
import { DEFAULT_BANK_OPTIONS, type BankOptions, validateBankOptions } from '../memory/policies';
import type { IntensityPolicy } from '../preprocess/intensity';
import type { Volume } from '../types';

export type Workflow = 'sam2' | 'medsam2' | 'medsam2-box';
export const WORKFLOWS: readonly Workflow[] = ['sam2', 'medsam2', 'medsam2-box'];
export const isMedsam2 = (w: Workflow): boolean => w !== 'sam2';

export interface SessionOptions {
  readonly bank: BankOptions;
  /**
   * 'single': the prompted axis only, both directions (default until measured otherwise).
   * 'all': the paper's six orientations (§3.3): the two other axes are seeded from the prompted
   * axis's result (its largest cross-section on each, as a mask prompt) and the three axes'
   * probabilities are aggregated per voxel.
   */
  readonly orientations: 'single' | 'all';
  readonly aggregation: 'mean' | 'majority';
  /** Stop a pass after this many consecutive object-absent slices (0 = never stop, as SAM 2). */
  readonly stopAfterAbsent: number;
  /**
   * 'sam2': SAM 2's video predictor (forward from the earliest prompted slice, then backward, on one
   * state). 'medsam2': MedSAM2's 3D inference as the issue-era scripts run it — a box prompt's
   * thresholded result becomes the slice's mask prompt; 'medsam2-box': as the current
   * medsam2_infer_3D_CT.py — the box itself in both passes. In both MedSAM2 workflows the backward
   * pass starts from a reset state and the volume mask keeps its largest 26-connected component
   * (`getLargestCC`) (models/README.md).
   */
  readonly workflow: Workflow;
  readonly intensity?: IntensityPolicy;
  /** Encoder outputs cache; pass one to share it between sessions (e.g. in the worker). */
  readonly cache?: EncoderCache;
  /** Identity of the volume in cache keys (e.g. the SeriesInstanceUID). */
  readonly volumeId?: string;
  /** Attach the memory bank's trace to every update. */
  readonly trace?: boolean;
}

export const DEFAULT_SESSION_OPTIONS: Omit<SessionOptions, 'cache' | 'volumeId'> = {
  bank: DEFAULT_BANK_OPTIONS,
  orientations: 'single',
  aggregation: 'mean',
  stopAfterAbsent: 0,
  workflow: 'sam2',
};

/** The defaults overridden by `options`, checked (bank options included). */
export function resolveSessionOptions(options: Partial<SessionOptions>): SessionOptions {
  const resolved: SessionOptions = {
    ...DEFAULT_SESSION_OPTIONS,
    ...options,
    bank: validateBankOptions({ ...DEFAULT_BANK_OPTIONS, ...options.bank }),
  };
  if (!Number.isInteger(resolved.stopAfterAbsent) || resolved.stopAfterAbsent < 0)
    throw new InputError(
      'invalid-options',
      `stopAfterAbsent must be an integer >= 0, got ${resolved.stopAfterAbsent}`,
    );
  if (!WORKFLOWS.includes(resolved.workflow))
    throw new InputError(
      'invalid-options',
      `workflow must be one of ${WORKFLOWS.join(', ')}, got ${JSON.stringify(resolved.workflow)}`,
    );
  return resolved;
}

export function validateVolume(volume: Volume): void {
  const [nx, ny, nz] = volume.dims;
  if (![nx, ny, nz].every((d) => Number.isInteger(d) && d > 0))
    throw new InputError(
      'invalid-volume',
      `volume dims must be positive integers, got ${volume.dims.join('×')}`,
    );
  if (volume.data.length !== nx * ny * nz)
    throw new InputError(
      'invalid-volume',
      `volume data has ${volume.data.length} values but dims ${nx}×${ny}×${nz} need ${nx * ny * nz}`,
    );
}
