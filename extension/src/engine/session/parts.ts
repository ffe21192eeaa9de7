/**
 * What the parts of a segmentation session share (session.ts makes one per session and hands it to
 * the prompt, propagation and result functions).
 */
import type { SamModel } from '../model/sam-model';
import type { Volume } from '../types';
import type { SessionObjects } from './objects';
import type { SessionOptions } from './options';
import type { SliceUpdates } from './slice-updates';
import type { VolumeAxes } from './volume-axes';

export interface SessionParts {
  readonly model: SamModel;
  readonly volume: Volume;
  readonly options: SessionOptions;
  readonly axes: VolumeAxes;
  readonly objects: SessionObjects;
  readonly updates: SliceUpdates;
}
