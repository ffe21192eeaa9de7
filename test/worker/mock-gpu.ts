/**
 * A GPU cannot run here, so the tests' GPU is a mock: a real CPU backend posing as 'webgpu' whose
 * graph runs fail, the way onnxruntime-web reports a lost WebGPU device, once `isLost` says so.
 * It counts the graph runs it was asked for, failed ones included.
 */
import { ModelError } from '../../extension/src/engine/errors';
import type { InferenceBackend } from '../../extension/src/engine/runtime/backend';
import { wrappedBackend } from '../support/wrapped-backend';

export interface MockGpu extends InferenceBackend {
  /** Graph runs asked of this backend so far. */
  readonly runs: number;
}

export function mockGpu(inner: InferenceBackend, isLost: (run: number) => boolean, about: string): MockGpu {
  let runs = 0;
  const backend = wrappedBackend(
    inner,
    async (label, run) => {
      runs++;
      if (isLost(runs))
        throw new ModelError(
          'inference-failed',
          `${label}: webgpu inference failed: Device lost ("destroyed"): the GPU device was lost (mock, run ${runs})`,
        );
      return run();
    },
    { name: 'webgpu', description: `mock GPU (${inner.description}), ${about}` },
  );
  return {
    ...backend,
    get runs() {
      return runs;
    },
  };
}
