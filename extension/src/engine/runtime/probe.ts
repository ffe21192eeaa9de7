/**
 * A backend is only "available" once it has run a graph: creating an execution provider can succeed
 * and the first session still fail (no WebGPU adapter, wasm files not served). The probe graph is
 * y = x + 1 on a [1] float tensor (built by models/onnx/probe-graph.ts; a test checks the bytes match).
 */
import type { InferenceBackend } from './backend';

export const PROBE_GRAPH_BASE64 =
  'CAgSEm1lZHNhbTItb2hpZiBwcm9iZTqBAQogCgF4CghzY2FsYXJfMBIFYWRkXzEaBUFkZF8wIgNBZGQKIAoFYWRkXzESAXkaCklkZW50aXR5XzEiCElkZW50aXR5EgVwcm9iZSoSEAFCCHNjYWxhcl8wSgQAAIA/Wg8KAXgSCgoICAESBAoCCAFiDwoBeRIKCggIARIECgIIAUIECgAQEQ==';

export function probeGraphBytes(): Uint8Array {
  return Uint8Array.from(atob(PROBE_GRAPH_BASE64), (c) => c.charCodeAt(0));
}

/** Resolves with the backend once it computed 41 + 1 = 42; rejects with the reason otherwise. */
export async function probeBackend<B extends InferenceBackend>(backend: B): Promise<B> {
  const session = await backend.createSession(probeGraphBytes(), 'probe');
  try {
    const out = await session.run({ x: { data: new Float32Array([41]), dims: [1] } });
    const y = out.y?.data[0];
    if (y !== 42) throw new Error(`${backend.name} probe computed ${String(y)} instead of 42`);
  } finally {
    await session.release();
  }
  return backend;
}
