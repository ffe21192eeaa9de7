/**
 * Which slices to encode ahead of need, nearest first: the slice in view, then one step either
 * side, two steps, … up to `radius`, within 0..length-1. Scrolling and propagation both go from
 * the slice in view to its neighbours, so the nearest are the likeliest next.
 */
export function slicesAround(center: number, radius: number, length: number): number[] {
  const order: number[] = [];
  if (!Number.isInteger(center) || center < 0 || center >= length) return order;
  order.push(center);
  for (let d = 1; d <= radius; d++)
    for (const k of [center - d, center + d]) if (k >= 0 && k < length) order.push(k);
  return order;
}
