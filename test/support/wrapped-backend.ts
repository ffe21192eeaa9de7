/**
 * A real backend whose graph runs pass through `around` first (to count, log or fail them): the
 * tests' stand-ins for what cannot run here (a GPU) and their probes of how the engine uses a model.
 */
import type { GraphSession, InferenceBackend } from '../../extension/src/engine/runtime/backend';

export type RunHook = (
  label: string,
  run: () => ReturnType<GraphSession['run']>,
) => ReturnType<GraphSession['run']>;

export function wrappedBackend(
  inner: InferenceBackend,
  around: RunHook,
  identity: Pick<InferenceBackend, 'name' | 'description'> = inner,
): InferenceBackend {
  return {
    name: identity.name,
    description: identity.description,
    async createSession(bytes, label) {
      const session = await inner.createSession(bytes, label);
      return {
        inputNames: session.inputNames,
        outputNames: session.outputNames,
        release: () => session.release(),
        run: (feeds) => around(label, () => session.run(feeds)),
      };
    },
  };
}
