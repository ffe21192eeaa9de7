/**
 * SAM 2's `fill_holes_in_mask_scores` (utils/misc.py, `fill_hole_area` in the video predictor): every
 * 8-connected background component (logit ≤ 0) of at most `maxArea` pixels becomes foreground with
 * the logit 0.1. The official code labels components with its CUDA kernel (block-based union find,
 * 8-connectivity); this is the same labelling on the CPU. Returns a new array; `maxArea` 0 = off.
 */
export const FILLED_HOLE_LOGIT = 0.1;

export function fillHoles(
  logits: Float32Array,
  width: number,
  height: number,
  maxArea: number,
): Float32Array {
  const out = logits.slice();
  if (maxArea <= 0) return out;
  const seen = new Uint8Array(logits.length);
  const stack = new Int32Array(logits.length);
  const component: number[] = [];
  for (let start = 0; start < logits.length; start++) {
    if (seen[start] || logits[start] > 0) continue;
    component.length = 0;
    let top = 0;
    stack[top++] = start;
    seen[start] = 1;
    while (top > 0) {
      const p = stack[--top];
      component.push(p);
      const x = p % width;
      const y = (p - x) / width;
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          const ny = y + dy;
          if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
          const q = ny * width + nx;
          if (seen[q] || logits[q] > 0) continue;
          seen[q] = 1;
          stack[top++] = q;
        }
    }
    if (component.length <= maxArea) for (const p of component) out[p] = FILLED_HOLE_LOGIT;
  }
  return out;
}
