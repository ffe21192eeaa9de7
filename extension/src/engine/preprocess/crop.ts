/**
 * Crop to the non-zero region (paper App. C.1: "cropped to their non-zero regions, then resized").
 *
 * One box serves a whole sequence, so every slice shares one slice↔model transform and a point keeps
 * its meaning from slice to slice. "Non-zero" is literal (v ≠ 0): it removes zero padding around MR
 * and resampled data; CT air (≈ −1000 HU) is not zero, so CT is normally left uncropped.
 */
import { InputError } from '../errors';
import type { SliceImage, Volume } from '../types';

export interface CropBox {
  x0: number;
  y0: number;
  width: number;
  height: number;
}

/** Anything that hands out equally sized slices (an `OrientedSequence` is one). */
export interface SliceSource {
  readonly length: number;
  readonly width: number;
  readonly height: number;
  slice(k: number): SliceImage;
}

/**
 * The smallest box holding every non-zero pixel of every slice; the full image when all are zero.
 * A `Volume` is read as its axial sequence (box in x, y over all z); slices in an array must share
 * one size.
 */
export function nonZeroBox(source: Volume | readonly SliceImage[] | SliceSource): CropBox {
  if (isVolume(source)) return volumeBox(source);
  const slices: SliceSource = Array.isArray(source)
    ? arraySource(source as readonly SliceImage[])
    : (source as SliceSource);
  const acc = new BoxAccumulator();
  for (let k = 0; k < slices.length; k++) {
    const s = slices.slice(k);
    for (let y = 0; y < slices.height; y++) {
      for (let x = 0; x < slices.width; x++) if (s.data[x + y * slices.width] !== 0) acc.add(x, y);
    }
  }
  return acc.box(slices.width, slices.height);
}

function isVolume(v: unknown): v is Volume {
  return typeof v === 'object' && v !== null && 'dims' in v && 'data' in v;
}

function arraySource(images: readonly SliceImage[]): SliceSource {
  if (images.length === 0) throw new InputError('invalid-image', 'non-zero crop: no slices given');
  const { width, height } = images[0];
  images.forEach((im, k) => {
    if (im.width !== width || im.height !== height || im.data.length !== width * height) {
      throw new InputError(
        'invalid-image',
        `non-zero crop: slice ${k} is ${im.width}×${im.height} (${im.data.length} values), slice 0 is ${width}×${height}`,
      );
    }
  });
  return { length: images.length, width, height, slice: (k) => images[k] };
}

function volumeBox(volume: Volume): CropBox {
  const [nx, ny, nz] = volume.dims;
  if (volume.data.length !== nx * ny * nz) {
    throw new InputError(
      'invalid-volume',
      `non-zero crop: ${volume.data.length} voxels do not fill ${nx}×${ny}×${nz}`,
    );
  }
  const acc = new BoxAccumulator();
  const d = volume.data;
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      const row = (z * ny + y) * nx;
      for (let x = 0; x < nx; x++) if (d[row + x] !== 0) acc.add(x, y);
    }
  }
  return acc.box(nx, ny);
}

class BoxAccumulator {
  private minX = Infinity;
  private minY = Infinity;
  private maxX = -Infinity;
  private maxY = -Infinity;

  add(x: number, y: number): void {
    if (x < this.minX) this.minX = x;
    if (x > this.maxX) this.maxX = x;
    if (y < this.minY) this.minY = y;
    if (y > this.maxY) this.maxY = y;
  }

  box(width: number, height: number): CropBox {
    if (this.maxX < this.minX) return { x0: 0, y0: 0, width, height };
    return {
      x0: this.minX,
      y0: this.minY,
      width: this.maxX - this.minX + 1,
      height: this.maxY - this.minY + 1,
    };
  }
}
