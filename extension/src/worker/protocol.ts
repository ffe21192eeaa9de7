/**
 * The typed message protocol between the page (or a Node parent) and the engine worker.
 * Every request carries an `id`; every response echoes it. Large buffers (volume data, masks)
 * travel as transferables, never copied.
 */
import type { BackendName } from '../engine/runtime/backend';
import type { AxisName, SessionOptions, SliceUpdate } from '../engine/session';
import type { ImagePrompt, ImageUpdate } from '../engine/image-set';
import type { SlicePrompt } from '../engine/prompts/prompt';
import type { Modality } from '../engine/types';

export type ModelSource =
  /** A folder URL (browser) or path (Node) holding manifest.json and the graphs. */
  { readonly location: string };

export interface VolumePayload {
  readonly data: Float32Array;
  readonly dims: readonly [number, number, number];
  readonly spacing: readonly [number, number, number];
  readonly modality: Modality;
}

/** One image of an image set: grey values (x fastest), its size, and the name errors give it. */
export interface SetImagePayload {
  readonly data: Float32Array;
  readonly width: number;
  readonly height: number;
  readonly name: string;
}

export type SessionSettings = Partial<
  Pick<SessionOptions, 'bank' | 'orientations' | 'aggregation' | 'stopAfterAbsent' | 'workflow' | 'trace'>
>;

export type WorkerRequest =
  | {
      readonly type: 'load-model';
      readonly id: number;
      readonly source: ModelSource;
      readonly backends?: readonly BackendName[];
    }
  | {
      readonly type: 'open-volume';
      readonly id: number;
      readonly volume: VolumePayload;
      readonly volumeId: string;
      readonly settings?: SessionSettings;
    }
  | { readonly type: 'close-volume'; readonly id: number; readonly sessionId: number }
  | { readonly type: 'add-object'; readonly id: number; readonly sessionId: number; readonly label?: string }
  | {
      readonly type: 'remove-object';
      readonly id: number;
      readonly sessionId: number;
      readonly objectId: number;
    }
  /**
   * Gives a new object its mask on every slice (volume grid, 0/1, transferred), kept as it is until
   * a slice is corrected (engine/volume/given-masks.ts). Answered 'done'.
   */
  | {
      readonly type: 'give-masks';
      readonly id: number;
      readonly sessionId: number;
      readonly objectId: number;
      readonly axis: AxisName;
      readonly mask: Uint8Array;
    }
  | {
      readonly type: 'set-prompt';
      readonly id: number;
      readonly sessionId: number;
      readonly objectId: number;
      readonly axis: AxisName;
      readonly slice: number;
      readonly prompt: SlicePrompt;
      /** Keep the object's state from before this prompt, for 'undo-prompt'. */
      readonly checkpoint?: boolean;
    }
  /**
   * Puts the object back exactly as it was before its last checkpointed prompt (prompts, every
   * slice's result, the runs already done). Answered 'done', or an error of kind 'nothing-to-undo'.
   */
  | {
      readonly type: 'undo-prompt';
      readonly id: number;
      readonly sessionId: number;
      readonly objectId: number;
    }
  | {
      readonly type: 'remove-prompt';
      readonly id: number;
      readonly sessionId: number;
      readonly objectId: number;
      readonly axis: AxisName;
      readonly slice: number;
    }
  | {
      readonly type: 'propagate';
      readonly id: number;
      readonly sessionId: number;
      readonly objectIds?: readonly number[];
    }
  /**
   * Only between two prompted slices of one object on its prompted axis (session.ts
   * `propagateBetween`); streamed and cancelled like 'propagate'.
   */
  | {
      readonly type: 'propagate-between';
      readonly id: number;
      readonly sessionId: number;
      readonly objectId: number;
      readonly from: number;
      readonly to: number;
    }
  /** The slices the object's next propagate would predict again (stale); answered 'pending-slices'. */
  | {
      readonly type: 'pending-slices';
      readonly id: number;
      readonly sessionId: number;
      readonly objectId: number;
    }
  | { readonly type: 'get-mask'; readonly id: number; readonly sessionId: number; readonly objectId: number }
  /**
   * New session settings for an open volume: the session is rebuilt with them and its prompts are
   * set again, so the next propagate recomputes every slice under the new settings.
   */
  | {
      readonly type: 'update-settings';
      readonly id: number;
      readonly sessionId: number;
      readonly settings: SessionSettings;
    }
  /**
   * Low priority: encodes the slices around `center` on `axis` (nearest first, up to `radius` each
   * side) while the worker is otherwise idle, so a prompt there answers from the encoder cache.
   * Every other request goes first (it waits for at most the one slice being encoded); a newer
   * prefetch replaces this one; it stops before the encoder cache would evict anything. Answered
   * 'prefetched' with the slices it encoded.
   */
  | {
      readonly type: 'prefetch';
      readonly id: number;
      readonly sessionId: number;
      readonly axis: AxisName;
      readonly center: number;
      readonly radius?: number;
    }
  /**
   * 2D one-prompt segmentation (engine/image-set.ts): `prompts[0]` is the template, the others are
   * corrections (each one more conditioning image). Streams one 'image' per image as it is done,
   * then 'done'; cancelled like 'propagate'. Encodings are cached under `setId` (the same images
   * again, e.g. after a correction, are not encoded again). Image buffers are transferred; errors
   * name the image (its index and name).
   */
  | {
      readonly type: 'segment-image-set';
      readonly id: number;
      readonly setId: string;
      readonly images: readonly SetImagePayload[];
      readonly modality: Modality;
      readonly prompts: readonly ImagePrompt[];
      readonly bank?: SessionSettings['bank'];
    }
  /** Cancels the request `target` (a propagate); answered by that request's 'cancelled'. */
  | { readonly type: 'cancel'; readonly id: number; readonly target: number };

export interface ModelInfo {
  readonly name: string;
  readonly version: string;
  readonly testModel: boolean;
  readonly modelHash: string;
  readonly imageSize: number;
  readonly backend: BackendName;
  readonly backendDescription: string;
  /** Backends given up, in order, with why: unavailable at load, or failed during inference. */
  readonly fallbacks: readonly BackendFallback[];
}

export interface BackendFallback {
  readonly name: BackendName;
  readonly error: string;
  /** The backend worked at load and was lost later: a graph run failed, or its GPU device was lost. */
  readonly duringInference?: boolean;
}

/** Bytes of the model received so far; `total` is null while the server has not said. */
export interface DownloadProgress {
  readonly loaded: number;
  readonly total: number | null;
  /**
   * Of `loaded`, the bytes read from the browser's model cache instead of the network (present once
   * any were): `cached === total` less the manifest means nothing was downloaded but the manifest.
   */
  readonly cached?: number;
}

export interface WorkerErrorInfo {
  readonly kind: string;
  readonly message: string;
}

export type WorkerResponse =
  | { readonly type: 'model-loaded'; readonly id: number; readonly model: ModelInfo }
  /** Download progress of a 'load-model' request (several per request, before 'model-loaded'). */
  | ({ readonly type: 'model-progress'; readonly id: number } & DownloadProgress)
  /**
   * Unsolicited (id 0): the backend failed during inference and the model now runs on another one;
   * the request that was running continues there.
   */
  | { readonly type: 'backend-fallback'; readonly id: 0; readonly model: ModelInfo }
  | { readonly type: 'volume-opened'; readonly id: number; readonly sessionId: number }
  | { readonly type: 'object-added'; readonly id: number; readonly objectId: number }
  | {
      readonly type: 'slice';
      readonly id: number;
      readonly update: SliceUpdate;
      /** On a set-prompt's answer: the slice's image encoding came from the encoder cache. */
      readonly encoderCached?: boolean;
    }
  | { readonly type: 'prefetched'; readonly id: number; readonly slices: readonly number[] }
  /** One image of a 'segment-image-set' (its mask transferred). */
  | { readonly type: 'image'; readonly id: number; readonly update: ImageUpdate }
  /** Slice indices along the object's prompted axis, ascending; [] when it is up to date. */
  | {
      readonly type: 'pending-slices';
      readonly id: number;
      readonly objectId: number;
      readonly slices: readonly number[];
    }
  | { readonly type: 'mask'; readonly id: number; readonly objectId: number; readonly mask: Uint8Array }
  | { readonly type: 'done'; readonly id: number }
  | { readonly type: 'cancelled'; readonly id: number }
  | { readonly type: 'error'; readonly id: number; readonly error: WorkerErrorInfo };

export type Post = (message: WorkerResponse, transfer: ArrayBuffer[]) => void;
