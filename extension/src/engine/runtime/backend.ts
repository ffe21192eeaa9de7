/**
 * The inference backend interface the engine runs graphs through, and its implementation over any
 * onnxruntime flavour (onnxruntime-web in a browser or worker, onnxruntime-node natively).
 * The engine never imports onnxruntime itself: the host passes the module in.
 */
import type * as Ort from 'onnxruntime-common';
import { ModelError, errorText } from '../errors';
import type { Tensor } from '../model/tensor';

export type BackendName = 'webgpu' | 'wasm' | 'native-cpu';

export interface GraphSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, Tensor>): Promise<Record<string, Tensor>>;
  release(): Promise<void>;
}

export interface InferenceBackend {
  readonly name: BackendName;
  /** What actually runs, for the user and for benchmark reports, e.g. 'onnxruntime-web 1.30.0 wasm (simd, 1 thread)'. */
  readonly description: string;
  /** `label` names the graph in error messages. */
  createSession(bytes: Uint8Array, label: string): Promise<GraphSession>;
}

/** The parts of an onnxruntime module (onnxruntime-web or onnxruntime-node) the backend uses. */
export type OrtModule = Pick<typeof Ort, 'InferenceSession' | 'Tensor' | 'env'>;

export interface OrtBackendOptions {
  /** Extra session options; `executionProviders` defaults to the one matching the backend name. */
  readonly sessionOptions?: Ort.InferenceSession.SessionOptions;
  /** Overrides the generated description. */
  readonly description?: string;
}

const EXECUTION_PROVIDER: Record<BackendName, string> = {
  webgpu: 'webgpu',
  wasm: 'wasm',
  'native-cpu': 'cpu',
};

export function describeOrtBackend(ort: OrtModule, name: BackendName): string {
  const versions = ort.env.versions as Record<string, string | undefined>;
  if (name === 'native-cpu') return `onnxruntime-node ${versions.node ?? '?'} native CPU`;
  const web = `onnxruntime-web ${versions.web ?? '?'}`;
  if (name === 'webgpu') return `${web} webgpu`;
  const threads = ort.env.wasm.numThreads;
  const threadText =
    threads === undefined || threads === 0 ? 'auto threads' : `${threads} thread${threads === 1 ? '' : 's'}`;
  return `${web} wasm (simd, ${threadText})`;
}

/**
 * Typed arrays made by another JavaScript realm (a native addon, a test sandbox) fail onnxruntime's
 * `instanceof` checks; such arrays are copied into this realm, others pass through untouched.
 */
function ownRealmFloat32(data: Float32Array): Float32Array {
  return data instanceof Float32Array ? data : new Float32Array(data);
}

function ownRealmBytes(bytes: Uint8Array): Uint8Array {
  return bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
}

export function createOrtBackend(
  ort: OrtModule,
  name: BackendName,
  options: OrtBackendOptions = {},
): InferenceBackend {
  const sessionOptions: Ort.InferenceSession.SessionOptions = {
    executionProviders: [EXECUTION_PROVIDER[name]],
    ...options.sessionOptions,
  };
  return {
    name,
    get description() {
      return options.description ?? describeOrtBackend(ort, name);
    },
    async createSession(bytes, label) {
      let session: Ort.InferenceSession;
      try {
        session = await ort.InferenceSession.create(ownRealmBytes(bytes), sessionOptions);
      } catch (e) {
        throw new ModelError(
          'inference-failed',
          `${label}: ${name} could not load the graph: ${errorText(e)}`,
        );
      }
      return wrapSession(ort, session, label, name);
    },
  };
}

function wrapSession(
  ort: OrtModule,
  session: Ort.InferenceSession,
  label: string,
  backend: BackendName,
): GraphSession {
  return {
    inputNames: [...session.inputNames],
    outputNames: [...session.outputNames],
    async run(feeds) {
      const ortFeeds: Record<string, Ort.Tensor> = {};
      for (const [key, t] of Object.entries(feeds)) {
        ortFeeds[key] = new ort.Tensor('float32', ownRealmFloat32(t.data), [...t.dims]);
      }
      let results: Ort.InferenceSession.OnnxValueMapType;
      try {
        results = await session.run(ortFeeds);
      } catch (e) {
        throw new ModelError('inference-failed', `${label}: ${backend} inference failed: ${errorText(e)}`);
      }
      const out: Record<string, Tensor> = {};
      for (const [key, value] of Object.entries(results)) {
        const t = value as Ort.Tensor;
        if (t.type !== 'float32') {
          throw new ModelError(
            'inference-failed',
            `${label}: output "${key}" is ${t.type}, the contract needs float32`,
          );
        }
        out[key] = { data: ownRealmFloat32(t.data as Float32Array), dims: [...t.dims] };
      }
      return out;
    },
    release: () => session.release(),
  };
}

export interface BackendCandidate {
  readonly name: BackendName;
  readonly create: () => Promise<InferenceBackend>;
}

/**
 * The first candidate whose `create` succeeds (in order, e.g. WebGPU then wasm), with the failures
 * of those tried before it so the choice can be reported.
 */
export async function selectBackend(
  candidates: ReadonlyArray<BackendCandidate>,
): Promise<{ backend: InferenceBackend; tried: { name: BackendName; error: string }[] }> {
  const tried: { name: BackendName; error: string }[] = [];
  for (const candidate of candidates) {
    try {
      return { backend: await candidate.create(), tried };
    } catch (e) {
      tried.push({ name: candidate.name, error: errorText(e) });
    }
  }
  const reasons = tried.map((t) => `${t.name}: ${t.error}`).join('; ');
  throw new ModelError(
    'backend-unavailable',
    `no inference backend is available (${reasons || 'no candidates'})`,
  );
}
