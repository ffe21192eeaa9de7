/**
 * The thread side of remote-graph.ts: opens graphs on a local backend (onnxruntime in this thread)
 * and runs them for the engine in another thread. A failure is answered, never thrown: the thread
 * outlives a bad graph or a bad call. No DOM or Node types: the worker entry wires `post`.
 */
import type { GraphSession, InferenceBackend } from './backend';
import type { GraphRequest, GraphResponse } from './remote-graph';
import { errorText } from '../errors';
import { requestIdOf, requestShapeProblem } from './request-shape';

export class GraphHost {
  private readonly sessions = new Map<number, GraphSession>();
  private nextSession = 1;

  constructor(
    private readonly backend: InferenceBackend,
    private readonly post: (response: GraphResponse, transfer: ArrayBuffer[]) => void,
  ) {}

  async handle(request: GraphRequest): Promise<void> {
    const id = requestIdOf(request) as number;
    try {
      const malformed = requestShapeProblem(request);
      if (malformed) throw new Error(`malformed graph request: ${malformed}`);
      const [response, transfer] = await this.answer(request);
      try {
        this.post(response, transfer);
      } catch {
        // Buffers a native addon made may refuse to move: send a copy instead.
        this.post(response, []);
      }
    } catch (e) {
      this.post({ type: 'failed', id, message: errorText(e) }, []);
    }
  }

  private async answer(r: GraphRequest): Promise<[GraphResponse, ArrayBuffer[]]> {
    switch (r.type) {
      case 'create': {
        const session = await this.backend.createSession(r.bytes, r.label);
        const id = this.nextSession++;
        this.sessions.set(id, session);
        const { inputNames, outputNames } = session;
        return [{ type: 'created', id: r.id, session: id, inputNames, outputNames }, []];
      }
      case 'run': {
        const outputs = await this.session(r.session).run(r.feeds);
        const buffers = Object.values(outputs).map((t) => t.data.buffer as ArrayBuffer);
        return [{ type: 'ran', id: r.id, outputs }, [...new Set(buffers)]];
      }
      case 'release': {
        const session = this.session(r.session);
        this.sessions.delete(r.session);
        await session.release();
        return [{ type: 'released', id: r.id }, []];
      }
      default:
        throw new Error(`unknown graph request ${String((r as { type?: unknown }).type)}`);
    }
  }

  private session(id: number): GraphSession {
    const s = this.sessions.get(id);
    if (!s) throw new Error(`no graph session ${id} in this thread`);
    return s;
  }
}
