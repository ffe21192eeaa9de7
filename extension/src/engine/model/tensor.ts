/** The engine's tensor: float32 data in row-major order with its dimensions. Backends convert at the edge. */
export interface Tensor {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

export const elementCount = (dims: readonly number[]): number => dims.reduce((n, d) => n * d, 1);

/** Builds a tensor, checking that the data length matches the dimensions. */
export function tensor(data: Float32Array, dims: readonly number[]): Tensor {
  if (data.length !== elementCount(dims)) {
    throw new RangeError(
      `tensor data has ${data.length} values, dims [${dims.join(',')}] need ${elementCount(dims)}`,
    );
  }
  return { data, dims: [...dims] };
}

export const zeros = (dims: readonly number[]): Tensor => tensor(new Float32Array(elementCount(dims)), dims);

export const sameDims = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((d, i) => d === b[i]);

export const formatDims = (dims: readonly number[]): string => `[${dims.join(',')}]`;
