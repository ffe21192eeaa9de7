/** Overlap metrics on binary masks (non-zero = object), any shape, same length. */

export interface Overlap {
  /** |A ∩ B| */
  readonly intersection: number;
  readonly predicted: number;
  readonly truth: number;
  /** 2|A∩B| / (|A| + |B|); 1 when both are empty. */
  readonly dice: number;
  /** |A∩B| / |A∪B|; 1 when both are empty. */
  readonly iou: number;
}

export function overlap(predicted: ArrayLike<number>, truth: ArrayLike<number>): Overlap {
  if (predicted.length !== truth.length)
    throw new RangeError(`masks differ in size: ${predicted.length} vs ${truth.length} values`);
  let inter = 0;
  let p = 0;
  let t = 0;
  for (let i = 0; i < truth.length; i++) {
    const a = predicted[i] !== 0;
    const b = truth[i] !== 0;
    if (a) p++;
    if (b) t++;
    if (a && b) inter++;
  }
  const union = p + t - inter;
  return {
    intersection: inter,
    predicted: p,
    truth: t,
    dice: p + t === 0 ? 1 : (2 * inter) / (p + t),
    iou: union === 0 ? 1 : inter / union,
  };
}
