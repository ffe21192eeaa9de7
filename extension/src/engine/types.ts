/**
 * Shared vocabulary of the engine. Coordinates that are easy to mix up carry a brand so the compiler
 * keeps voxel space, original slice pixels and model-input pixels apart.
 */

export type Brand<T, B extends string> = T & { readonly __brand: B };

/**
 * Pixel coordinates on an original slice: x = column, y = row, as pixel indices (the centre of pixel
 * (i, j) is at (i, j); the image spans −0.5..width−0.5), the convention of SAM2's prompt encoder.
 */
export type SlicePoint = Brand<{ x: number; y: number }, 'SlicePoint'>;
/** Pixel coordinates in the model input, pixel indices as above (−0.5..S−0.5). */
export type ModelPoint = Brand<{ x: number; y: number }, 'ModelPoint'>;

/** Index of a slice along the volume's third array axis (0-based). */
export type SliceIndex = Brand<number, 'SliceIndex'>;

/** Mask logits (unbounded) vs probabilities (0..1). */
export type Logits = Brand<Float32Array, 'Logits'>;
export type Probabilities = Brand<Float32Array, 'Probabilities'>;

export type Modality = 'CT' | 'MR' | 'XR' | 'US' | 'OTHER';

/**
 * A scalar volume in array order: x fastest, then y, then z (NIfTI / DICOM column-row-slice order),
 * i.e. voxel (x, y, z) is at `x + dims[0] * (y + dims[1] * z)`.
 */
export interface Volume {
  readonly data: Float32Array;
  readonly dims: readonly [number, number, number];
  /** Voxel size in mm along x, y, z. */
  readonly spacing: readonly [number, number, number];
  /** 4×4 row-major voxel→patient/world matrix, when known. */
  readonly affine?: readonly number[];
  readonly modality: Modality;
}

/** One 2D image in row-major order: pixel (x, y) at `x + width * y`. */
export interface SliceImage {
  readonly data: Float32Array;
  readonly width: number;
  readonly height: number;
}

export const sliceIndex = (k: number): SliceIndex => k as SliceIndex;
export const slicePoint = (x: number, y: number): SlicePoint => ({ x, y }) as SlicePoint;
export const modelPoint = (x: number, y: number): ModelPoint => ({ x, y }) as ModelPoint;
